using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Infrar.Platform.Security;

/// <summary>An endpoint's least role; roles include those before them (viewer &lt; deployer &lt; approver &lt; admin).</summary>
internal sealed record RoleRequirement(string Role) : IAuthorizationRequirement;

internal sealed class RoleRequirementHandler : AuthorizationHandler<RoleRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, RoleRequirement requirement)
    {
        if (context.User.FindFirst(Caller.RoleClaim)?.Value is { } role && Roles.Includes(role, requirement.Role))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// One authorization policy per role and way in: the API's (bearer tokens only) and the dashboard's (sessions only), so
/// a cookie never authorizes an API call and a token never signs in a page.
/// </summary>
internal static class Authorization
{
    private const string NeededRole = "infrar.needed-role";

    public static string Policy(string scheme, string role) => $"{scheme}:{role}";

    public static void AddPolicies(AuthorizationOptions options)
    {
        foreach (var scheme in new[] { Schemes.Bearer, Schemes.Session })
        {
            foreach (var role in Roles.All)
            {
                options.AddPolicy(Policy(scheme, role), policy => policy
                    .AddAuthenticationSchemes(scheme)
                    .RequireAuthenticatedUser()
                    .AddRequirements(new RoleRequirement(role)));
            }
        }
    }

    /// <summary>The API endpoint needs a bearer token with at least <paramref name="role"/>.</summary>
    public static TBuilder RequireRole<TBuilder>(this TBuilder builder, string role)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(Policy(Schemes.Bearer, role));

    /// <summary>The dashboard endpoint needs a signed-in session with at least <paramref name="role"/>.</summary>
    public static TBuilder RequireSession<TBuilder>(this TBuilder builder, string role = Roles.Viewer)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(Policy(Schemes.Session, role));

    public static Task ForbiddenAsync(HttpContext context)
    {
        var caller = Caller.Of(context);
        var needed = context.Items.TryGetValue(NeededRole, out var role) ? role as string : null;
        return Results.Problem(
            statusCode: StatusCodes.Status403Forbidden,
            title: "Forbidden",
            detail: needed is null || caller is null
                ? "This caller may not do this."
                : $"This needs the {needed} role; token '{caller.Name}' is {caller.Role}.")
            .ExecuteAsync(context);
    }

    /// <summary>Remembers which role a refused request lacked, so the 403 can say so.</summary>
    internal sealed class ResultHandler : IAuthorizationMiddlewareResultHandler
    {
        private readonly AuthorizationMiddlewareResultHandler _default = new();

        public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
        {
            if (authorizeResult.Forbidden && authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<RoleRequirement>().FirstOrDefault() is { } failed)
            {
                context.Items[NeededRole] = failed.Role;
            }

            return _default.HandleAsync(next, context, policy, authorizeResult);
        }
    }
}
