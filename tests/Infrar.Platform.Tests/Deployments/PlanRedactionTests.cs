using System.Text.Json;
using Infrar.Platform.Deployments;
using Xunit;

namespace Infrar.Platform.Tests.Deployments;

/// <summary>A plan is stored and shown without what OpenTofu marks sensitive, whatever its shape.</summary>
public sealed class PlanRedactionTests
{
    [Fact]
    public void Sensitive_attributes_outputs_and_configuration_literals_are_redacted_and_the_rest_kept()
    {
        const string plan = """
            {
              "format_version": "1.2",
              "planned_values": {
                "outputs": { "token": { "sensitive": true, "value": "out-secret" }, "url": { "sensitive": false, "value": "https://app" } },
                "root_module": {
                  "resources": [
                    { "address": "x.db", "values": { "name": "db", "password": "pw-secret", "tags": ["a", "tag-secret"] },
                      "sensitive_values": { "password": true, "tags": [false, true] } }
                  ],
                  "child_modules": [
                    { "resources": [ { "address": "module.m.x.k", "values": { "key": "child-secret" }, "sensitive_values": { "key": true } } ] }
                  ]
                }
              },
              "resource_changes": [
                { "address": "x.db", "change": { "actions": ["create"], "before": null, "after": { "name": "db", "password": "pw-secret" },
                  "before_sensitive": false, "after_sensitive": { "password": true } } }
              ],
              "output_changes": { "token": { "before": null, "after": "out-secret", "before_sensitive": false, "after_sensitive": true } },
              "configuration": { "root_module": { "outputs": { "token": { "expression": { "constant_value": "out-secret" }, "sensitive": true } } } }
            }
            """;

        var redacted = PlanRedaction.Redact(plan);

        Assert.DoesNotContain("secret", redacted, StringComparison.Ordinal);
        var json = JsonDocument.Parse(redacted).RootElement;
        Assert.Equal("https://app", json.GetProperty("planned_values").GetProperty("outputs").GetProperty("url").GetProperty("value").GetString());
        var values = json.GetProperty("planned_values").GetProperty("root_module").GetProperty("resources")[0].GetProperty("values");
        Assert.Equal("db", values.GetProperty("name").GetString());
        Assert.Equal(PlanRedaction.Redacted, values.GetProperty("password").GetString());
        Assert.Equal(["a", PlanRedaction.Redacted], values.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(PlanRedaction.Redacted, json.GetProperty("output_changes").GetProperty("token").GetProperty("after").GetString());
        Assert.Equal(["create"], json.GetProperty("resource_changes")[0].GetProperty("change").GetProperty("actions").EnumerateArray().Select(a => a.GetString()));
        Assert.False(json.TryGetProperty("configuration", out _));
    }
}
