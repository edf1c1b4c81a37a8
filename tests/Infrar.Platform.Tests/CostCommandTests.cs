using System.CommandLine;
using System.Text.Json;
using Infrar.Platform.Cli;
using Xunit;

namespace Infrar.Platform.Tests;

/// <summary><c>infrar cost</c> as a user runs it: the table, the JSON, exit codes and errors.</summary>
public sealed class CostCommandTests : IDisposable
{
    private readonly CostFiles _files = new();

    [Fact]
    public void The_sample_manifest_prints_every_provider_side_by_side_and_json_carries_the_same_numbers()
    {
        var manifest = Path.Combine(AppContext.BaseDirectory, "Fixtures", "photoservice.manifest.json");

        var (tableCode, table, _) = Run("cost", "--manifest", manifest);
        var (jsonCode, json, _) = Run("cost", "--manifest", manifest, "--format", "json");

        Assert.Equal(ExitCodes.Success, tableCode);
        Assert.Equal(ExitCodes.Success, jsonCode);
        Assert.Contains("aws (us-east-1)", table, StringComparison.Ordinal);
        Assert.Contains("azure (westus)", table, StringComparison.Ordinal);
        Assert.Contains("gcp (us-central1)", table, StringComparison.Ordinal);
        Assert.Contains("★ cheapest", table, StringComparison.Ordinal);
        Assert.Contains("Assumptions", table, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(json);
        foreach (var provider in document.RootElement.GetProperty("report").GetProperty("providers").EnumerateArray())
        {
            var total = provider.GetProperty("total").GetDecimal();
            Assert.Contains($"${Math.Round(total, 2):#,0.00}", table, StringComparison.Ordinal);
            var lines = provider.GetProperty("lines").EnumerateArray().Sum(l => l.GetProperty("cost").ValueKind == JsonValueKind.Null ? 0 : l.GetProperty("cost").GetDecimal());
            Assert.Equal(total, lines);
        }

        Assert.Equal(document.RootElement.GetProperty("cheapest").GetString(), document.RootElement.GetProperty("report").GetProperty("providers").EnumerateArray().OrderBy(p => p.GetProperty("total").GetDecimal()).First().GetProperty("provider").GetString());
    }

    [Fact]
    public void An_estimate_with_a_missing_price_exits_3_and_names_what_has_no_price()
    {
        var (code, output, _) = Run("cost", "--manifest", _files.Write("m.json", CostFiles.Shop), "--usage", _files.Write("u.yaml", CostFiles.Usage));

        Assert.Equal(ExitCodes.Incomplete, code);
        Assert.Contains("no price for azure Container Apps (consumption) requests", output, StringComparison.Ordinal);
        Assert.Contains("A total marked + is a floor", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_usage_file_is_refused_with_its_line()
    {
        var usage = _files.Write("usage.yaml", "buckets:\n  photos:\n    stored_gb: lots\n");

        var (code, _, error) = Run("cost", "--manifest", _files.Write("m.json", CostFiles.Shop), "--usage", usage);

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.StartsWith($"infrar cost: {usage}(3,", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_usage_file_naming_a_bucket_the_app_does_not_have_is_refused()
    {
        var usage = _files.Write("usage.yaml", "buckets:\n  invoices:\n    stored_gb: 5\n");

        var (code, _, error) = Run("cost", "--manifest", _files.Write("m.json", CostFiles.Shop), "--usage", usage);

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("buckets.invoices is not a bucket of Shop (its buckets: photos)", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_or_malformed_manifest_is_refused_with_its_path()
    {
        var (missingCode, _, missing) = Run("cost", "--manifest", "/nowhere/infrar.manifest.json");
        var (brokenCode, _, broken) = Run("cost", "--manifest", _files.Write("broken.json", "{ \"schemaVersion\": 1,\n  \"resources\": [ }"));

        Assert.Equal(ExitCodes.BadInput, missingCode);
        Assert.Contains("/nowhere/infrar.manifest.json: no such manifest", missing, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.BadInput, brokenCode);
        Assert.Contains("broken.json(2): not a valid manifest", broken, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_option_is_a_usage_error()
    {
        var (code, _, error) = Run("cost", "--manifest", _files.Write("m.json", CostFiles.Shop), "--format", "xml");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("xml", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_to_prints_what_the_change_costs()
    {
        var before = _files.Write("before.json", CostFiles.Shop);
        var after = _files.Write("after.json", CostFiles.Shop.Replace("\"cpu\": 1,", "\"cpu\": 2,", StringComparison.Ordinal));

        var (_, output, _) = Run("cost", "--manifest", after, "--compare-to", before);

        // Fargate, always on: one more vCPU x 730 h x $0.04048 = +29.55
        Assert.Contains("What this change costs each month", output, StringComparison.Ordinal);
        Assert.Contains("+$29.55", output, StringComparison.Ordinal);
    }

    public void Dispose() => _files.Dispose();

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var root = new RootCommand { CostCommand.Create() };
        var code = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }
}
