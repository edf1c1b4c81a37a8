using Infrar.Platform.Data;
using Microsoft.AspNetCore.Http;

namespace Infrar.Platform.Security;

/// <summary>Who is calling: the token's name and role.</summary>
internal sealed record Caller(string Name, string Role)
{
    private const string Key = "infrar.caller";
    public const string Cookie = "infrar_token";

    public static Caller? Of(HttpContext context) => context.Items.TryGetValue(Key, out var caller) ? caller as Caller : null;

    /// <summary>Resolves the bearer token (or the dashboard's cookie) to its caller; an unknown token is no caller.</summary>
    public static async Task AuthenticateAsync(HttpContext context, PlatformStore store)
    {
        var header = context.Request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? header["Bearer ".Length..].Trim()
            : context.Request.Cookies[Cookie];
        if (string.IsNullOrEmpty(token))
        {
            return;
        }

        if (await store.FindTokenAsync(ApiTokens.Hash(token), context.RequestAborted) is { } row)
        {
            context.Items[Key] = new Caller(row.Name, row.Role);
        }
    }
}

/// <summary>An endpoint's least role; without a caller the answer is 401, with too small a role 403.</summary>
internal sealed class RequireRoleFilter(string role) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var caller = Caller.Of(context.HttpContext);
        if (caller is null)
        {
            return Results.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Authentication required",
                detail: "Send an API token as 'Authorization: Bearer <token>'. The first admin token is in the service's data folder (admin-token).");
        }

        if (!Roles.Includes(caller.Role, role))
        {
            return Results.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "Forbidden",
                detail: $"This needs the {role} role; token '{caller.Name}' is {caller.Role}.");
        }

        return await next(context);
    }
}

internal static class RoleEndpointExtensions
{
    public static TBuilder RequireRole<TBuilder>(this TBuilder builder, string role)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(new RequireRoleFilter(role));
}
