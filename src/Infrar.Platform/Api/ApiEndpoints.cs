using Infrar.Platform.Deployments;
using Infrar.Platform.Policies;
using Infrar.Platform.Security;

namespace Infrar.Platform.Api;

/// <summary>
/// The JSON API under /api, one file per feature. Every route needs a bearer token (reads the viewer role, deployments
/// deployer, approvals approver, the rest admin), but GitHub's push webhook, which must be signed with its project's
/// secret instead. Authorization runs before a body is read.
/// </summary>
internal static class ApiEndpoints
{
    public static void Map(WebApplication app)
    {
        var api = app.MapGroup("/api");
        ProjectsApi.Map(api);
        DeploymentsApi.Map(api);
        PoliciesApi.Map(api);
        TokensApi.Map(api);
        Migrations.MigrationsApi.Map(api);
        SourcesApi.Map(api);
    }
}
