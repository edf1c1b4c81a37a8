using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace Infrar.Platform.Security;

/// <summary>Who is calling: the token's name and role, from the authenticated principal.</summary>
internal sealed record Caller(string Name, string Role)
{
    public const string RoleClaim = "infrar:role";

    public static Caller? Of(HttpContext context) =>
        context.User.Identity?.IsAuthenticated == true && context.User.FindFirstValue(ClaimTypes.Name) is { } name && context.User.FindFirstValue(RoleClaim) is { } role
            ? new Caller(name, role)
            : null;

    /// <summary>The caller of an endpoint that requires authentication: never null there.</summary>
    public static Caller Require(HttpContext context) =>
        Of(context) ?? throw new InvalidOperationException("The endpoint runs only for authenticated callers.");

    public static ClaimsPrincipal Principal(string name, string role, string scheme) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(RoleClaim, role)], scheme));
}
