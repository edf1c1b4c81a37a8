using Dapper;
using Infrar.Platform.Data;
using Infrar.Platform.Deployments;

namespace Infrar.Platform.Api;

/// <summary>
/// For load balancers and orchestrators, without a token: <c>/healthz</c> answers while the process serves requests;
/// <c>/readyz</c> only when it can do its work, its database reachable and OpenTofu found (503 naming what is not).
/// Neither says more than ok or what is wrong.
/// </summary>
internal static class HealthEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/healthz", () => Results.Text("ok\n"));

        app.MapGet("/readyz", async (HttpContext context, Database database, CancellationToken ct) =>
        {
            var checks = new SortedDictionary<string, string>(StringComparer.Ordinal);
            try
            {
                await using var connection = await database.OpenAsync(ct);
                checks["database"] = await connection.ExecuteScalarAsync<long>("SELECT 1") == 1 ? "ok" : "unexpected answer";
            }
            catch (Exception e) when (e is System.Data.Common.DbException || Database.IsUnavailable(e))
            {
                checks["database"] = "unreachable";
            }

            try
            {
                checks["tofu"] = File.Exists(context.RequestServices.GetRequiredService<TofuRunner>().Executable) ? "ok" : "missing";
            }
            catch (InvalidOperationException)
            {
                checks["tofu"] = "missing";
            }

            return checks.Values.All(v => v == "ok") ? Results.Ok(checks) : Results.Json(checks, statusCode: StatusCodes.Status503ServiceUnavailable);
        });
    }
}
