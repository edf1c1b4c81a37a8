using System.Security.Cryptography;
using System.Text.Encodings.Web;
using Infrar.Platform.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Infrar.Platform.Security;

/// <summary>The two ways in: an API token as a bearer header (the API), a sign-in session cookie (the dashboard).</summary>
internal static class Schemes
{
    public const string Bearer = "Bearer";
    public const string Session = "Session";
    public const string SessionCookie = "infrar_session";
}

/// <summary>
/// The API's authentication: <c>Authorization: Bearer &lt;token&gt;</c>, looked up by its SHA-256. It reads headers only,
/// and runs before any body is read. Cookies are never accepted here.
/// </summary>
internal sealed class BearerTokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, PlatformStore store)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var token = header["Bearer ".Length..].Trim();
        if (token.Length is 0 or > 256)
        {
            return AuthenticateResult.Fail("unknown token");
        }

        var hash = ApiTokens.Hash(token);
        TokenRow? row;
        try
        {
            row = await store.FindTokenAsync(hash, Context.RequestAborted);
        }
        catch (Exception e) when (Database.IsUnavailable(e))
        {
            // The request is refused (503) either way; the audit log says whose it was, as last confirmed.
            if (RecentlySeen.TryGetValue(hash, out var name))
            {
                RequestAudit.SetUnverifiedActor(Context, name);
            }

            throw;
        }

        if (row is null)
        {
            RecentlySeen.TryRemove(hash, out _);
            return AuthenticateResult.Fail("unknown token");
        }

        if (RecentlySeen.Count >= 1000)
        {
            RecentlySeen.Clear();
        }

        RecentlySeen[hash] = row.Name;
        return AuthenticateResult.Success(new AuthenticationTicket(Caller.Principal(row.Name, row.Role, Scheme.Name), Scheme.Name));
    }

    /// <summary>Token hashes and the names they last belonged to: only to name a caller refused while the database was busy.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> RecentlySeen = new(StringComparer.Ordinal);

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return Results.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: "Authentication required",
            detail: "Send an API token as 'Authorization: Bearer <token>'. The first admin token is in the service's data folder (admin-token).")
            .ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Authorization.ForbiddenAsync(Context);
}

/// <summary>
/// The dashboard's authentication: a random session id in an HTTP-only, same-site cookie, stored only as its hash and
/// tied to the token that signed in (revoking the token ends its sessions). Each session has its own form token,
/// which every dashboard form must send back.
/// </summary>
internal sealed class SessionHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, PlatformStore store)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    private const string CsrfItem = "infrar.csrf";

    /// <summary>The signed-in session's form token, for the forms a page renders.</summary>
    public static string? CsrfOf(HttpContext context) => context.Items.TryGetValue(CsrfItem, out var csrf) ? csrf as string : null;

    public static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var session = Request.Cookies[Schemes.SessionCookie];
        if (string.IsNullOrEmpty(session))
        {
            return AuthenticateResult.NoResult();
        }

        if (session.Length > 128 || await store.FindSessionAsync(ApiTokens.Hash(session), Context.RequestAborted) is not { } found)
        {
            return AuthenticateResult.Fail("unknown or expired session");
        }

        Context.Items[CsrfItem] = found.Csrf;
        return AuthenticateResult.Success(new AuthenticationTicket(Caller.Principal(found.Token.Name, found.Token.Role, Scheme.Name), Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        // A page sends the browser to sign in; the event stream, read by script, gets a plain 401.
        if (HttpMethods.IsGet(Request.Method) && !(Request.Path.Value ?? "").EndsWith("/events", StringComparison.Ordinal))
        {
            Response.Redirect("/ui/login");
            return Task.CompletedTask;
        }

        return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Sign in first", detail: "The dashboard's session has ended; sign in again at /ui/login.").ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Authorization.ForbiddenAsync(Context);
}
