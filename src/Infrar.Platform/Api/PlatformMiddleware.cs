using Infrar.Platform.Data;
using Infrar.Platform.Deployments;
using Infrar.Platform.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Infrar.Platform.Api;

/// <summary>
/// Around every request: who is calling; domain errors as problem details (404, 409, 403); and for every request
/// that changes something, an audit row with who, what, when and the outcome, whether it succeeded or not.
/// </summary>
internal static class PlatformMiddleware
{
    public static async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var store = context.RequestServices.GetRequiredService<PlatformStore>();
        await Caller.AuthenticateAsync(context, store);
        try
        {
            await next(context);
        }
        catch (Exception e) when (e is NotFoundException or ConflictException or IllegalTransitionException or ForbiddenException)
        {
            var (status, title) = e switch
            {
                NotFoundException => (StatusCodes.Status404NotFound, "Not found"),
                ForbiddenException => (StatusCodes.Status403Forbidden, "Forbidden"),
                _ => (StatusCodes.Status409Conflict, "Conflict"),
            };
            await Results.Problem(statusCode: status, title: title, detail: e.Message).ExecuteAsync(context);
        }
        finally
        {
            if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
            {
                var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path.Value ?? "";
                await store.AppendAuditAsync(
                    Caller.Of(context)?.Name ?? "anonymous",
                    $"{context.Request.Method} {route}",
                    context.Request.Path.Value ?? "",
                    context.Response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    CancellationToken.None);
            }
        }
    }
}
