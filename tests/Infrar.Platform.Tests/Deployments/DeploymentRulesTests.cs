using Infrar.Generators.Catalog;
using Infrar.Platform.Deployments;
using Infrar.Testing;
using Xunit;

namespace Infrar.Platform.Tests.Deployments;

/// <summary>The state machine, the plan summary and the state backends, on their own.</summary>
public sealed class DeploymentRulesTests
{
    [Theory]
    [InlineData("deploy", "queued", "planning")]
    [InlineData("deploy", "queued", "building")]
    [InlineData("deploy", "building", "planning")]
    [InlineData("deploy", "building", "failed")]
    [InlineData("deploy", "planning", "policy_denied")]
    [InlineData("deploy", "policy_denied", "applying")]
    [InlineData("deploy", "policy_denied", "awaiting_approval")]
    [InlineData("deploy", "policy_denied", "cancelled")]
    [InlineData("deploy", "planning", "awaiting_approval")]
    [InlineData("deploy", "planning", "applying")]
    [InlineData("deploy", "awaiting_approval", "applying")]
    [InlineData("deploy", "awaiting_approval", "cancelled")]
    [InlineData("deploy", "applying", "failed")]
    [InlineData("destroy", "destroy_queued", "planning")]
    [InlineData("destroy", "planning", "awaiting_approval")]
    [InlineData("destroy", "awaiting_approval", "destroying")]
    [InlineData("destroy", "planning", "destroying")]
    [InlineData("destroy", "destroying", "destroyed")]
    public void The_documented_moves_are_allowed(string kind, string from, string to) => DeploymentStatus.EnsureCanMove(1, kind, from, to);

    [Theory]
    [InlineData("deploy", "queued", "applying", "queued and cannot become applying; from queued it can become building, planning, cancelled")]
    [InlineData("destroy", "destroy_queued", "building", "destroy_queued and cannot become building; from destroy_queued it can become planning, cancelled")]
    [InlineData("deploy", "building", "cancelled", "building and cannot become cancelled; from building it can become planning, failed")]
    [InlineData("deploy", "applying", "cancelled", "applying and cannot become cancelled")]
    [InlineData("deploy", "succeeded", "applying", "from succeeded it can become nothing: it has ended")]
    [InlineData("destroy", "destroyed", "destroying", "destroyed and cannot become destroying")]
    [InlineData("deploy", "awaiting_approval", "succeeded", "awaiting_approval and cannot become succeeded")]
    [InlineData("deploy", "awaiting_approval", "destroying", "from awaiting_approval it can become applying, cancelled")]
    [InlineData("destroy", "awaiting_approval", "applying", "from awaiting_approval it can become destroying, cancelled")]
    [InlineData("destroy", "planning", "policy_denied", "cannot become policy_denied")]
    public void Other_moves_are_refused_naming_what_is_allowed(string kind, string from, string to, string message)
    {
        var refused = Assert.Throws<IllegalTransitionException>(() => DeploymentStatus.EnsureCanMove(7, kind, from, to));
        Assert.Contains(message, refused.Message, StringComparison.Ordinal);
        Assert.StartsWith($"Deployment 7 ({kind}) is ", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_replacement_counts_as_an_add_and_a_destroy_and_no_ops_count_as_nothing()
    {
        var summary = PlanSummary.FromPlanJson("""
            {"resource_changes": [
              {"address": "a", "change": {"actions": ["create"]}},
              {"address": "b", "change": {"actions": ["delete", "create"]}},
              {"address": "c", "change": {"actions": ["update"]}},
              {"address": "d", "change": {"actions": ["no-op"]}},
              {"address": "e", "change": {"actions": ["delete"]}}
            ]}
            """);
        Assert.Equal(new PlanSummary(2, 1, 2), summary);
        Assert.Equal(new PlanSummary(0, 0, 0), PlanSummary.FromPlanJson("""{"format_version": "1.2"}"""));
    }

    [Theory]
    [InlineData("aws", "backend \"s3\"", "bucket       = \"acme-state\"", "key          = \"infrar/photos/prod/terraform.tfstate\"", "use_lockfile = true")]
    [InlineData("gcp", "backend \"gcs\"", "bucket = \"acme-state\"", "prefix = \"infrar/photos/prod\"", null)]
    [InlineData("azure", "backend \"azurerm\"", "storage_account_name = \"acmestate\"", "key                  = \"infrar/photos/prod/terraform.tfstate\"", null)]
    public async Task Each_cloud_gets_its_remote_backend_formatted_as_tofu_fmt_leaves_it(string provider, string backend, string first, string second, string? third)
    {
        var state = new Dictionary<string, string>
        {
            ["bucket"] = "acme-state",
            ["resource_group_name"] = "acme",
            ["storage_account_name"] = "acmestate",
            ["container_name"] = "tfstate",
        };
        var text = StateBackend.Render(EmbeddedCatalog.Value.Providers[provider], "photos", "prod", "eu-west-1", state);
        Assert.Contains(backend, text, StringComparison.Ordinal);
        Assert.Contains(first, text, StringComparison.Ordinal);
        Assert.Contains(second, text, StringComparison.Ordinal);
        if (third is not null)
        {
            Assert.Contains(third, text, StringComparison.Ordinal);
        }

        var folder = Directory.CreateTempSubdirectory("infrar-backend-");
        try
        {
            File.WriteAllText(Path.Combine(folder.FullName, "infrar_backend.tf"), text);
            var fmt = await Terraform.RunAsync(folder.FullName, "fmt", "-check", "-diff");
            Assert.True(fmt.ExitCode == 0, fmt.Output);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_local_backend_keeps_state_in_the_working_copy_and_settings_are_quoted_safely()
    {
        Assert.Contains("path = \"terraform.tfstate\"", StateBackend.Render(EmbeddedCatalog.Value.Providers["local"], "photos", "dev", null, new Dictionary<string, string>()), StringComparison.Ordinal);
        var text = StateBackend.Render(EmbeddedCatalog.Value.Providers["gcp"], "photos", "dev", null, new Dictionary<string, string> { ["bucket"] = "a \"b\" ${c} %{d}\n" });
        Assert.Contains("bucket = \"a \\\"b\\\" $${c} %%{d}\\n\"", text, StringComparison.Ordinal);
    }
}
