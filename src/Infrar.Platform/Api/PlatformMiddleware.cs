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
/// 409, 403, 422, 400 naming the field), a database that cannot serve in time as 503 with Retry-After (nothing was
/// changed), and anything unexpected as a 500 that reveals nothing. Every request that changes something is audited
/// once with the outcome the caller really got: by the store in the change's own transaction, or, when nothing changed,
/// through the <see cref="AuditQueue"/>. Refusals of callers without a valid token are counted instead
/// (<see cref="AnonymousAudit"/>). Each request is logged at Debug, structured.
/// </summary>
internal static partial class PlatformMiddleware
{
    /// <summary>What a 503 asks the client to wait before retrying, in seconds.</summary>
    public const int RetryAfterSeconds = 2;

    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
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
        catch (Exception e) when (e is NotFoundException or ConflictException or IllegalTransitionException or ForbiddenException or InputException or IdempotencyMismatchException
                                  && !context.Response.HasStarted)
        {
            var (status, title) = e switch
            {
                NotFoundException => (StatusCodes.Status404NotFound, "Not found"),
                ForbiddenException => (StatusCodes.Status403Forbidden, "Forbidden"),
                InputException => (StatusCodes.Status400BadRequest, "Bad request"),
                IdempotencyMismatchException => (StatusCodes.Status422UnprocessableEntity, "Idempotency-Key reused"),
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
        catch (Exception e) when (Database.IsUnavailable(e) && !context.Response.HasStarted)
        {
            // No connection in time, or the write lock held: the request changed nothing, and a retry will do.
            NoteUnavailable(Logger(context), e.Message);
            headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            await Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service busy",
                detail: $"The service's database is busy; nothing was changed. Retry in {RetryAfterSeconds} seconds (with the same Idempotency-Key, if you sent one).")
                .ExecuteAsync(context);
        }
        catch (Exception e) when (e is not OperationCanceledException && !context.Response.HasStarted)
        {
            Logger(context).LogError(e, "Request {Method} {Path} failed", context.Request.Method, context.Request.Path.Value);
            await Results.Problem(statusCode: StatusCodes.Status500InternalServerError, title: "Internal error",
                detail: $"The service failed on this request; its log says why (trace {context.TraceIdentifier}).").ExecuteAsync(context);
        }
        finally
        {
            if (mutating)
            {
                Audit(context);
            }

            LogRequest(Logger(context), context.Request.Method, Route(context), context.Response.StatusCode,
                System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds, Caller.Of(context)?.Name);
        }
    }

    /// <summary>
    /// Accounts for a request that changed something, unless the store already wrote its row with the change: a caller
    /// known by token gets a row of its own (queued); an unknown one is counted with its address.
    /// </summary>
    private static void Audit(HttpContext context)
    {
        if (RequestAudit.Of(context) is { Written: true })
        {
            return;
        }

        var status = context.Response.StatusCode;
        if (Caller.Of(context) is null && RequestAudit.Of(context) is { } own)
        {
            // A caller without a token that says who it is (a webhook, by its project): its record as it made it.
            context.RequestServices.GetRequiredService<AuditQueue>().Enqueue(own);
            return;
        }

        if ((Caller.Of(context)?.Name ?? RequestAudit.UnverifiedActor(context)) is not { } actor)
        {
            // Without a valid token, a refusal is counted; an accepted anonymous request (a sign-in) audits itself.
            if (status >= 400)
            {
                context.RequestServices.GetRequiredService<AnonymousAudit>().Count(context.Connection.RemoteIpAddress?.ToString(), status);
            }

            return;
        }

        context.RequestServices.GetRequiredService<AuditQueue>().Enqueue(
            new AuditRecord(actor, RequestAudit.Action(context), RequestAudit.Target(context), RequestAudit.Outcome(context, status)));
    }

    private static long _unavailable;
    private static long _unavailableLoggedAt;

    /// <summary>One warning every 10 seconds at most, with the count since the last: a saturated database must not also flood the log.</summary>
    private static void NoteUnavailable(ILogger logger, string reason)
    {
        var count = Interlocked.Increment(ref _unavailable);
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _unavailableLoggedAt);
        if (now - last >= 10_000 && Interlocked.CompareExchange(ref _unavailableLoggedAt, now, last) == last)
        {
            LogUnavailable(logger, Interlocked.Exchange(ref _unavailable, 0), reason);
        }
    }

    private static string Route(HttpContext context) =>
        (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path.Value ?? "";

    private static ILogger Logger(HttpContext context) =>
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Infrar.Platform.Requests");

    [LoggerMessage(LogLevel.Debug, "{Method} {Route} answered {Status} in {ElapsedMs:0.0} ms for {Caller}")]
    private static partial void LogRequest(ILogger logger, string method, string route, int status, double elapsedMs, string? caller);

    [LoggerMessage(LogLevel.Warning, "{Count} request(s) answered 503 since the last such warning: the database is busy ({Reason}); see docs/platform.md, 'Under load'")]
    private static partial void LogUnavailable(ILogger logger, long count, string reason);

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
