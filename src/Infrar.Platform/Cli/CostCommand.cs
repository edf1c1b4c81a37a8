using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using Infrar.Platform.Cost;
using Infrar.Platform.Manifest;
using Spectre.Console;

namespace Infrar.Platform.Cli;

/// <summary><c>infrar cost --manifest &lt;file&gt; [--usage &lt;file&gt;] [--format table|json] [--compare-to &lt;manifest&gt;]</c>.</summary>
internal static class CostCommand
{
    public static Command Create()
    {
        var manifest = new Option<FileInfo>("--manifest") { Description = "The infrar.manifest.json a build wrote", Required = true };
        var usage = new Option<FileInfo?>("--usage") { Description = "What the app does in a month (YAML or JSON); unset fields are assumed" };
        var format = new Option<string>("--format") { Description = "table (the default) or json", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        var compareTo = new Option<FileInfo?>("--compare-to") { Description = "Another manifest, such as the main branch's: prints what the change costs" };
        var command = new Command("cost", "Estimate the monthly cost of what the code uses on every provider, side by side, down to the call site.")
        {
            manifest, usage, format, compareTo,
        };
        command.SetAction(parse => Run(
            parse.GetValue(manifest)!.FullName,
            parse.GetValue(usage)?.FullName,
            parse.GetValue(format)!,
            parse.GetValue(compareTo)?.FullName,
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error));
        return command;
    }

    public static int Run(string manifestPath, string? usagePath, string format, string? compareToPath, TextWriter output, TextWriter error)
    {
        try
        {
            var (report, diff) = Estimate(manifestPath, usagePath, compareToPath, interactive: format == "table" && !Console.IsOutputRedirected && output == Console.Out);
            if (format == "json")
            {
                output.WriteLine(JsonSerializer.Serialize(new CostJson(report, report.Cheapest, diff), CostJsonContext.Default.CostJson));
            }
            else
            {
                CostTable.Write(output, report, diff);
            }

            return report.Providers.All(p => p.Complete) ? ExitCodes.Success : ExitCodes.Incomplete;
        }
        catch (InputException e)
        {
            error.WriteLine($"infrar cost: {e.Message}");
            return ExitCodes.BadInput;
        }
    }

    private static (CostReport Report, CostDiff? Diff) Estimate(string manifestPath, string? usagePath, string? compareToPath, bool interactive)
    {
        (CostReport, CostDiff?) Work()
        {
            var manifest = ManifestDocument.Load(manifestPath);
            var usage = UsageProfile.Load(usagePath, manifest);
            var report = CostEngine.Estimate(manifest, usage, PriceBook.Default);
            if (compareToPath is null)
            {
                return (report, null);
            }

            var before = ManifestDocument.Load(compareToPath);
            return (report, CostEngine.Compare(CostEngine.Estimate(before, UsageProfile.Load(usagePath, before), PriceBook.Default), report));
        }

        return interactive ? AnsiConsole.Status().Start("Pricing the manifest on every provider…", _ => Work()) : Work();
    }
}

/// <summary>The JSON form: the same numbers as the table.</summary>
internal sealed record CostJson(CostReport Report, string? Cheapest, CostDiff? Diff);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(CostJson))]
internal sealed partial class CostJsonContext : JsonSerializerContext;
