using Infrar.Platform.Api;
using Infrar.Platform.Data;
using Microsoft.AspNetCore.Routing;

namespace Infrar.Platform.Security;

/// <summary>API tokens (shown once, stored as their hash), who is calling, and the audit log.</summary>
internal static class TokensApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/tokens", async (CreateTokenRequest? request, HttpContext context, PlatformStore store, CancellationToken ct) =>
        {
            if (RequestValidation.Token(request) is { Count: > 0 } errors)
            {
                return Results.ValidationProblem(errors);
            }

            var token = ApiTokens.Create();
            await store.CreateTokenAsync(request!.Name!, request.Role!, ApiTokens.Hash(token), ct, RequestAudit.For(context, StatusCodes.Status201Created));
            return Results.Created($"/api/tokens/{request.Name}", new TokenResponse(request.Name!, request.Role!, token));
        }).RequireRole(Roles.Admin);

        api.MapGet("/tokens", async (PlatformStore store, CancellationToken ct) =>
            (await store.ListTokensAsync(ct)).Select(t => new TokenListing(t.Name, t.Role, DateTimeOffset.FromUnixTimeMilliseconds(t.CreatedAt))))
            .RequireRole(Roles.Admin);

        api.MapDelete("/tokens/{name}", async (string name, HttpContext context, PlatformStore store, CancellationToken ct) =>
        {
            if (name == Caller.Require(context).Name)
            {
                throw new ConflictException($"Token '{name}' is the one making this request; revoke it with another admin token.");
            }

            return await store.DeleteTokenAsync(name, ct, RequestAudit.For(context, StatusCodes.Status204NoContent)) ? Results.NoContent() : throw new NotFoundException($"There is no token named '{name}'.");
        }).RequireRole(Roles.Admin);

        api.MapGet("/audit", async (int? limit, PlatformStore store, CancellationToken ct) =>
            (await store.ListAuditAsync(Math.Clamp(limit ?? 100, 1, 1000), ct))
                .Select(a => new AuditResponse(a.Id, DateTimeOffset.FromUnixTimeMilliseconds(a.At), a.Actor, a.Action, a.Target, a.Outcome, a.Requests)))
            .RequireRole(Roles.Admin);

        api.MapGet("/whoami", (HttpContext context) => Caller.Require(context)).RequireRole(Roles.Viewer);
    }
}

/// <summary>A token as a list shows it: its name, role and age; the token itself is shown once, when made.</summary>
internal sealed record TokenListing(string Name, string Role, DateTimeOffset CreatedAt);
