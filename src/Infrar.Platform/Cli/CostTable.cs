using System.Globalization;
using Infrar.Platform.Cost;
using Spectre.Console;

namespace Infrar.Platform.Cli;

/// <summary>The cost report as people read it: providers side by side, then every line item, call site costs and assumptions.</summary>
internal static class CostTable
{
    public static void Write(TextWriter output, CostReport report, CostDiff? diff)
    {
        var terminal = output == Console.Out && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        console.Profile.Width = Math.Max(console.Profile.Width, 140);

        var summary = new Table().Title($"Monthly estimate for {Markup.Escape(report.Project)}").AddColumn("");
        foreach (var provider in report.Providers)
        {
            summary.AddColumn(new TableColumn($"{provider.Provider} ({provider.Region})").RightAligned());
        }

        foreach (var key in report.Providers.SelectMany(p => p.Lines).Select(l => (l.Resource, l.Category)).Distinct())
        {
            summary.AddRow([Markup.Escape($"{key.Resource}: {key.Category}"), .. report.Providers.Select(p => Markup.Escape(Cell(p.Lines.Where(l => l.Resource == key.Resource && l.Category == key.Category).ToList())))]);
        }

        summary.AddRow(["[bold]Total[/]", .. report.Providers.Select(p => $"[bold]{Money(p.Total)}{(p.Complete ? "" : "+")}[/]{(p.Provider == report.Cheapest ? " ★ cheapest" : "")}")]);
        console.Write(summary);
        if (report.Providers.Any(p => !p.Complete))
        {
            console.MarkupLine("[yellow]A total marked + is a floor: some quantities have no price.[/]");
        }

        foreach (var provider in report.Providers)
        {
            var lines = new Table().Title($"{provider.Provider}: line items").AddColumns("Resource", "Meter", "Quantity", "Unit price", "Cost", "Source");
            foreach (var line in provider.Lines)
            {
                lines.AddRow(
                    Markup.Escape(line.Resource),
                    Markup.Escape(line.Meter),
                    Markup.Escape($"{Number(line.Quantity)} {line.Unit}"),
                    Markup.Escape(line.UnitPrice is { } price ? $"{Money(price, 8)}{(line.Per == 1 ? "" : $" per {Number(line.Per)}")}" : "no price"),
                    Markup.Escape(line.Cost is { } cost ? Money(cost) : "no price"),
                    Markup.Escape(line.Source));
            }

            console.Write(lines);
            foreach (var missing in provider.Missing)
            {
                console.MarkupLine($"[yellow]{Markup.Escape(missing)}[/]");
            }
        }

        var sites = new Table().Title("What a million calls cost, by line of code").AddColumns("Bucket", "Operation", "Call sites");
        foreach (var provider in report.Providers)
        {
            sites.AddColumn(new TableColumn(provider.Provider).RightAligned());
        }

        foreach (var site in report.CallSites)
        {
            sites.AddRow([Markup.Escape(site.Bucket), Markup.Escape(site.Operation), Markup.Escape(string.Join(", ", site.CallSites)), .. report.Providers.Select(p => Markup.Escape(site.PerMillionCalls[p.Provider] is { } cost ? Money(cost) : "no price"))]);
        }

        console.Write(sites);
        if (diff is not null)
        {
            var change = new Table().Title("What this change costs each month").AddColumns("Provider", "Before", "After", "Change", "Lines that moved");
            foreach (var provider in diff.Providers)
            {
                change.AddRow(
                    provider.Provider,
                    Money(provider.Before),
                    Money(provider.After),
                    (provider.Change >= 0 ? "+" : "") + Money(provider.Change),
                    Markup.Escape(string.Join("; ", provider.Lines.Select(l => $"{l.Resource}: {l.Category} {Money(l.Before ?? 0)} → {(l.After is { } after ? Money(after) : "no price")}"))));
            }

            console.Write(change);
        }

        if (report.Assumptions.Count > 0)
        {
            console.MarkupLine("[bold]Assumptions[/] (give a --usage file to replace them):");
            foreach (var assumption in report.Assumptions)
            {
                console.MarkupLine($"  - {Markup.Escape(assumption)}");
            }
        }
    }

    private static string Cell(IReadOnlyList<LineItem> lines) =>
        lines.Count == 0 ? "" : lines.Any(l => l.Cost is null) ? "no price" : Money(lines.Sum(l => l.Cost!.Value));

    public static string Money(decimal value, int decimals = 2) =>
        "$" + Math.Round(value, value != 0 && Math.Abs(value) < 0.01m ? Math.Max(decimals, 4) : decimals, MidpointRounding.AwayFromZero).ToString("#,0.00######", CultureInfo.InvariantCulture);

    private static string Number(decimal value) => value.ToString("#,0.######", CultureInfo.InvariantCulture);
}
