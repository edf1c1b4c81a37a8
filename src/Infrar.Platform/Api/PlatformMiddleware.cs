using System.Globalization;
using System.Text.Json;
using Infrar.Platform.Data;
using Infrar.Platform.Deployments;
using Infrar.Platform.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Infrar.Platform.Api;

/// <summary>
/// Around every request: security headers; the dashboard's same-origin check; domain errors as problem details (404,
/// 409, 403, 400 naming the field), and anything unexpected as a 500 that reveals nothing; and for every request that
/// changes something, an audit row with who, what and the outcome the caller really got. Refusals of callers without a
/// valid token are counted instead (<see cref="AnonymousAudit"/>).
/// </summary>
internal static class PlatformMiddleware
{
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        // same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" on form posts, and the origin check needs it.
        headers["Referrer-Policy"] = "same-origin";
        headers.CacheControl = "no-store";

        var mutating = !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method) && !HttpMethods.IsOptions(context.Request.Method);
        try
        {
            if (mutating && IsDashboard(context.Request.Path) && !IsSameOrigin(context.Request))
            {
                await Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Cross-origin request refused",
                    detail: "Dashboard forms are accepted only from the dashboard's own pages (Origin or Referer must be this service).").ExecuteAsync(context);
                return;
            }

            await next(context);
        }
        catch (Exception e) when (e is NotFoundException or ConflictException or IllegalTransitionException or ForbiddenException or InputException)
        {
            var (status, title) = e switch
            {
                NotFoundException => (StatusCodes.Status404NotFound, "Not found"),
                ForbiddenException => (StatusCodes.Status403Forbidden, "Forbidden"),
                InputException => (StatusCodes.Status400BadRequest, "Bad request"),
                _ => (StatusCodes.Status409Conflict, "Conflict"),
            };
            await Results.Problem(statusCode: status, title: title, detail: e.Message).ExecuteAsync(context);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            // A body that is not the JSON the endpoint takes: name the field when the parser knows it.
            var field = e.InnerException is JsonException { Path: { Length: > 0 } path } ? path.TrimStart('$', '.') : "body";
            var detail = e.InnerException is JsonException json ? json.Message : e.Message;
            await Results.ValidationProblem(new Dictionary<string, string[]> { [field.Length == 0 ? "body" : field] = [detail] }, statusCode: e.StatusCode)
                .ExecuteAsync(context);
        }
        catch (Exception e) when (e is not OperationCanceledException && !context.Response.HasStarted)
        {
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Infrar.Platform").LogError(e, "Request {Method} {Path} failed", context.Request.Method, context.Request.Path.Value);
            await Results.Problem(statusCode: StatusCodes.Status500InternalServerError, title: "Internal error",
                detail: $"The service failed on this request; its log says why (trace {context.TraceIdentifier}).").ExecuteAsync(context);
        }
        finally
        {
            if (mutating)
            {
                await AuditAsync(context);
            }
        }
    }

    private static async Task AuditAsync(HttpContext context)
    {
        var status = context.Response.StatusCode;
        if (Caller.Of(context) is not { } caller)
        {
            // Without a valid token, a refusal is counted; an accepted anonymous request (a sign-in) audits itself.
            if (status >= 400)
            {
                context.RequestServices.GetRequiredService<AnonymousAudit>().Count(context.Connection.RemoteIpAddress?.ToString(), status);
            }

            return;
        }

        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path.Value ?? "";
        var store = context.RequestServices.GetRequiredService<PlatformStore>();
        await store.AppendAuditAsync(
            caller.Name,
            $"{context.Request.Method} {route}",
            context.Request.Path.Value ?? "",
            status.ToString(CultureInfo.InvariantCulture),
            CancellationToken.None);
    }

    private static bool IsDashboard(PathString path) => path.StartsWithSegments("/ui", StringComparison.Ordinal);

    /// <summary>The browser says where the request comes from; only this service's own pages may post its forms.</summary>
    private static bool IsSameOrigin(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0 && Uri.TryCreate(request.Headers.Referer.ToString(), UriKind.Absolute, out var referer))
        {
            origin = referer.GetLeftPart(UriPartial.Authority);
        }

        return Uri.TryCreate(origin, UriKind.Absolute, out var from) &&
               string.Equals(from.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase) &&
               string.Equals(from.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }
}
