using System.Text.Json;
using Infrar.Platform.Data;
using Infrar.Platform.Security;
using Microsoft.AspNetCore.Routing;

namespace Infrar.Platform.Policies;

/// <summary>
/// Guardrail policies: the built-in rules of each provider (read-only), and the rules an admin sets on a project or an
/// environment (PUT replaces, DELETE removes). Every change is audited.
/// </summary>
internal static class PoliciesApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/guardrails", () => GuardrailPolicy.BuiltIn).RequireRole(Roles.Viewer);

        foreach (var scope in new[] { "project", "environment" })
        {
            var route = scope == "project" ? "/projects/{id:long}/policy" : "/environments/{id:long}/policy";

            api.MapGet(route, async (long id, PlatformStore store, CancellationToken ct) =>
            {
                await RequireAsync(store, scope, id, ct);
                return await store.GetPolicyAsync(scope, id, ct) is { } document
                    ? Results.Text(document, "application/json")
                    : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"The {scope} {id} has no guardrail policy of its own.");
            }).RequireRole(Roles.Viewer);

            api.MapPut(route, async (long id, JsonElement? body, HttpContext context, PlatformStore store, CancellationToken ct) =>
            {
                await RequireAsync(store, scope, id, ct);
                var text = body?.GetRawText() ?? "null";
                if (text.Length > 64 * 1024)
                {
                    return Results.ValidationProblem(new Dictionary<string, string[]> { ["policy"] = ["A policy holds at most 64 KiB."] });
                }

                var (policy, errors) = GuardrailPolicy.Parse(text);
                if (policy is null)
                {
                    return Results.ValidationProblem(errors);
                }

                await store.SetPolicyAsync(scope, id, policy.ToJson(), Caller.Require(context).Name, ct, RequestAudit.For(context, StatusCodes.Status200OK));
                return Results.Text(policy.ToJson(), "application/json");
            }).RequireRole(Roles.Admin);

            api.MapDelete(route, async (long id, HttpContext context, PlatformStore store, CancellationToken ct) =>
            {
                await RequireAsync(store, scope, id, ct);
                await store.SetPolicyAsync(scope, id, null, Caller.Require(context).Name, ct, RequestAudit.For(context, StatusCodes.Status204NoContent));
                return Results.NoContent();
            }).RequireRole(Roles.Admin);
        }
    }

    private static Task RequireAsync(PlatformStore store, string scope, long id, CancellationToken ct) =>
        scope == "project" ? store.RequireProjectAsync(id, ct) : store.RequireEnvironmentAsync(id, ct);
}
