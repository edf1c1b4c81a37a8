using System.Text.Json;
using Infrar.Platform.Manifest;
using Infrar.Platform.Policies;
using Infrar.Testing;
using Xunit;

namespace Infrar.Platform.Tests.Policies;

/// <summary>
/// Guardrails on plans: the built-in rules of each provider refuse public buckets, wildcard grants and plain-text
/// transport, on the plan JSON OpenTofu prints; admin rules add to them; the cost cap prices the manifest; a policy an
/// admin sends is refused field by field when it is wrong.
/// </summary>
public sealed class GuardrailTests
{
    [Fact]
    public void A_public_S3_bucket_and_a_wildcard_grant_are_each_refused_with_the_resource_and_rule()
    {
        var plan = Plan(
            Change("aws_s3_bucket_public_access_block.photos", "aws_s3_bucket_public_access_block", """
                { "block_public_acls": true, "block_public_policy": false, "ignore_public_acls": true, "restrict_public_buckets": true }
                """),
            Change("aws_iam_role_policy.app_storage", "aws_iam_role_policy", $$"""
                { "name": "storage", "policy": {{JsonSerializer.Serialize("""
                    {"Version":"2012-10-17","Statement":[
                      {"Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::photos/*"},
                      {"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::photos"},
                      {"Effect":"Deny","Action":"*","Resource":"*"}
                    ]}
                    """)}} }
                """));

        var violations = PlanGuardrails.Evaluate(plan, "aws", manifest: null, []);

        Assert.Equal(2, violations.Count);
        var publicBlock = violations.Single(v => v.Rule == "aws-s3-public-access-block");
        Assert.Equal("aws_s3_bucket_public_access_block.photos", publicBlock.Resource);
        Assert.Equal("built-in", publicBlock.Source);
        Assert.Contains("block_public_policy is not true", publicBlock.Message, StringComparison.Ordinal);
        var wildcard = violations.Single(v => v.Rule == "aws-iam-wildcard");
        Assert.Equal("aws_iam_role_policy.app_storage", wildcard.Resource);
        Assert.Contains("Action matches", wildcard.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void What_the_build_writes_for_a_private_bucket_breaks_no_built_in_rule()
    {
        var plan = Plan(
            Change("aws_s3_bucket_public_access_block.photos", "aws_s3_bucket_public_access_block", """
                { "block_public_acls": true, "block_public_policy": true, "ignore_public_acls": true, "restrict_public_buckets": true }
                """),
            Change("aws_s3_bucket_server_side_encryption_configuration.photos", "aws_s3_bucket_server_side_encryption_configuration", """
                { "rule": [{ "apply_server_side_encryption_by_default": [{ "sse_algorithm": "AES256", "kms_master_key_id": null }], "bucket_key_enabled": null }] }
                """),
            Change("aws_iam_role_policy.app_storage", "aws_iam_role_policy", $$"""
                { "policy": {{JsonSerializer.Serialize("""{"Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::photos/*"}]}""")}} }
                """),
            Change("google_storage_bucket.photos", "google_storage_bucket", """{ "public_access_prevention": "enforced", "uniform_bucket_level_access": true }"""),
            Change("azurerm_storage_account.app", "azurerm_storage_account", """{ "allow_nested_items_to_be_public": false, "https_traffic_only_enabled": true, "min_tls_version": "TLS1_2" }"""),
            Change("azurerm_storage_container.photos", "azurerm_storage_container", """{ "container_access_type": "private" }"""));
        foreach (var provider in new[] { "aws", "gcp", "azure" })
        {
            Assert.Empty(PlanGuardrails.Evaluate(plan, provider, null, []));
        }
    }

    [Theory]
    [InlineData("gcp", "google_storage_bucket", """{ "public_access_prevention": "inherited", "uniform_bucket_level_access": true }""", "gcp-storage-public-access-prevention")]
    [InlineData("gcp", "google_storage_bucket_iam_member", """{ "bucket": "b", "role": "roles/storage.objectViewer", "member": "allUsers" }""", "gcp-storage-public-member")]
    [InlineData("gcp", "google_project_iam_member", """{ "project": "p", "role": "roles/owner", "member": "user:a@b.c" }""", "gcp-basic-roles")]
    [InlineData("azure", "azurerm_storage_account", """{ "allow_nested_items_to_be_public": true, "https_traffic_only_enabled": true }""", "azure-storage-public-blobs")]
    [InlineData("azure", "azurerm_storage_account", """{ "allow_nested_items_to_be_public": false, "min_tls_version": "TLS1_0" }""", "azure-storage-https")]
    [InlineData("azure", "azurerm_storage_container", """{ "container_access_type": "blob" }""", "azure-storage-public-container")]
    [InlineData("azure", "azurerm_role_definition", """{ "permissions": [{ "actions": [], "data_actions": ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*"] }] }""", "azure-role-wildcard")]
    [InlineData("azure", "azurerm_role_assignment", """{ "role_definition_name": "Owner" }""", "azure-broad-role-assignment")]
    [InlineData("aws", "aws_s3_bucket_acl", """{ "acl": "public-read" }""", "aws-s3-public-acl")]
    [InlineData("aws", "aws_s3_bucket_policy", """{ "policy": "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::p/*\"}]}" }""", "aws-s3-bucket-policy-public")]
    public void Each_built_in_rule_refuses_what_it_is_for(string provider, string type, string after, string rule)
    {
        var violation = Assert.Single(PlanGuardrails.Evaluate(Plan(Change($"{type}.x", type, after)), provider, null, []));
        Assert.Equal(rule, violation.Rule);
    }

    [Fact]
    public void Destroying_and_values_known_only_after_apply_are_not_judged()
    {
        var destroy = Plan(Change("google_storage_bucket.old", "google_storage_bucket", "null", actions: "\"delete\""));
        Assert.Empty(PlanGuardrails.Evaluate(destroy, "gcp", null, []));

        var unknown = Plan(Change("google_storage_bucket.x", "google_storage_bucket", """{ "uniform_bucket_level_access": true }""", unknown: """{ "public_access_prevention": true }"""));
        Assert.Empty(PlanGuardrails.Evaluate(unknown, "gcp", null, []));
    }

    [Fact]
    public void Admin_rules_add_to_the_built_in_ones_and_may_switch_one_off()
    {
        var (policy, errors) = GuardrailPolicy.Parse("""
            {
              "disable": ["gcp-storage-uniform-access"],
              "rules": [{
                "id": "require-team-label",
                "description": "Every bucket names its team",
                "resource": "google_storage_*",
                "when": [{ "path": "labels", "present": true }],
                "require": [{ "path": "labels.team", "present": true }]
              }]
            }
            """);
        Assert.Empty(errors);
        var plan = Plan(Change("google_storage_bucket.x", "google_storage_bucket", """
            { "public_access_prevention": "enforced", "uniform_bucket_level_access": false, "labels": { "app": "photos" } }
            """));

        Assert.Equal(["gcp-storage-uniform-access"], PlanGuardrails.Evaluate(plan, "gcp", null, []).Select(v => v.Rule));
        var violation = Assert.Single(PlanGuardrails.Evaluate(plan, "gcp", null, [new ScopedPolicy("project policy", policy!)]));
        Assert.Equal("require-team-label", violation.Rule);
        Assert.Equal("project policy", violation.Source);
        Assert.Equal("Every bucket names its team: needs labels.team is set", violation.Message);
    }

    [Fact]
    public void The_cost_cap_prices_the_manifest_on_the_environment_s_provider_and_the_lowest_cap_wins()
    {
        var manifest = ManifestDocument.TryParse(CostFiles.Shop)!;
        var loose = GuardrailPolicy.Parse("""{ "maxMonthlyCost": 1000 }""").Policy!;
        var tight = GuardrailPolicy.Parse("""{ "maxMonthlyCost": 1 }""").Policy!;
        var empty = Plan();

        Assert.Empty(PlanGuardrails.Evaluate(empty, "aws", manifest, [new ScopedPolicy("project policy", loose)]));
        var violation = Assert.Single(PlanGuardrails.Evaluate(empty, "aws", manifest, [new ScopedPolicy("project policy", loose), new ScopedPolicy("environment policy", tight)]));
        Assert.Equal("max-monthly-cost", violation.Rule);
        Assert.Equal("environment policy", violation.Source);
        Assert.Matches(@"^the estimate for aws \(us-east-1\) is \$\d+\.\d\d a month, over the environment policy's cap of \$1\.00$", violation.Message);
        Assert.Contains("carries no manifest", Assert.Single(PlanGuardrails.Evaluate(empty, "aws", null, [new ScopedPolicy("project policy", tight)])).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "rules": [{ "id": "Bad Id", "resource": "x", "deny": [{ "path": "a", "equals": 1 }] }] }""", "rules[0].id")]
    [InlineData("""{ "rules": [{ "id": "a", "resource": "x y", "deny": [{ "path": "a", "equals": 1 }] }] }""", "rules[0].resource")]
    [InlineData("""{ "rules": [{ "id": "a", "resource": "x" }] }""", "rules[0]")]
    [InlineData("""{ "rules": [{ "id": "a", "resource": "x", "deny": [{ "path": "a", "equals": 1, "in": [1] }] }] }""", "rules[0].deny[0]")]
    [InlineData("""{ "rules": [{ "id": "a", "resource": "x", "deny": [{ "path": "a", "matches": "(" }] }] }""", "rules[0].deny[0].matches")]
    [InlineData("""{ "rules": [{ "id": "a", "resource": "x", "deny": [{ "path": "a..b", "present": true }] }] }""", "rules[0].deny[0].path")]
    [InlineData("""{ "rules": [{ "id": "aws-iam-wildcard", "resource": "x", "deny": [{ "path": "a", "present": true }] }] }""", "rules[0].id")]
    [InlineData("""{ "disable": ["no-such-rule"] }""", "disable[0]")]
    [InlineData("""{ "maxMonthlyCost": -1 }""", "maxMonthlyCost")]
    [InlineData("""{ "maxMonthlyCost": "ten" }""", "maxMonthlyCost")]
    [InlineData("""{ "unknown": true }""", "unknown")]
    public void A_wrong_policy_is_refused_naming_the_field(string json, string field)
    {
        var (policy, errors) = GuardrailPolicy.Parse(json);
        Assert.Null(policy);
        Assert.True(errors.ContainsKey(field), $"the errors name {field}: {string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"))}");
    }

    [Theory]
    [InlineData("aws")]
    [InlineData("gcp")]
    [InlineData("azure")]
    public void Every_built_in_rule_names_resources_and_attributes_that_exist_in_the_provider_schema(string provider)
    {
        var resources = ProviderSchemas.Resources(provider).ToList();
        foreach (var rule in GuardrailPolicy.BuiltIn[provider].Rules!)
        {
            var matching = resources.Where(r => rule.AppliesTo(r.Type)).ToList();
            Assert.True(matching.Count > 0, $"{rule.Id}: no {provider} resource type matches {rule.Resource}");
            var paths = (rule.When ?? []).Concat(rule.Deny ?? []).Concat(rule.Require ?? []).Where(_ => rule.Each is null).Select(c => c.Path!)
                .Concat(rule.Each is { } each ? [each.Path!] : []);
            foreach (var path in paths)
            {
                Assert.True(matching.Any(r => HasPath(r.Block, path)), $"{rule.Id}: no {rule.Resource} resource of {provider} has {path}");
            }
        }
    }

    private static bool HasPath(JsonElement block, string path)
    {
        var segments = path.Split('.');
        for (var i = 0; i < segments.Length; i++)
        {
            if (block.TryGetProperty("attributes", out var attributes) && attributes.TryGetProperty(segments[i], out _))
            {
                // An attribute may hold a map or object whose keys the schema does not list.
                return true;
            }

            if (!block.TryGetProperty("block_types", out var nested) || !nested.TryGetProperty(segments[i], out var inner))
            {
                return false;
            }

            block = inner.GetProperty("block");
        }

        return true;
    }

    private static string Plan(params string[] changes) =>
        $$"""{ "format_version": "1.2", "resource_changes": [{{string.Join(",", changes)}}] }""";

    private static string Change(string address, string type, string after, string actions = "\"create\"", string unknown = "{}") => $$"""
        {
          "address": "{{address}}", "mode": "managed", "type": "{{type}}", "name": "x",
          "change": { "actions": [{{actions}}], "before": null, "after": {{after}}, "after_unknown": {{unknown}} }
        }
        """;
}
