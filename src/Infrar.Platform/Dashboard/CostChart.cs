using System.Globalization;
using System.Text;
using Infrar.Platform.Cost;

namespace Infrar.Platform.Dashboard;

/// <summary>The cost engine's monthly estimate per provider as a bar chart (inline SVG, no script).</summary>
internal static class CostChart
{
    public static string Render(CostReport report)
    {
        const int barHeight = 28, gap = 10, labelWidth = 70, width = 520;
        var max = Math.Max(report.Providers.Max(p => p.Total), 0.01m);
        var height = report.Providers.Count * (barHeight + gap);
        var svg = new StringBuilder().Append(CultureInfo.InvariantCulture, $"<svg id=\"cost-chart\" role=\"img\" aria-label=\"Estimated monthly cost per provider\" width=\"{width + 160}\" height=\"{height}\">");
        var y = 0;
        foreach (var provider in report.Providers)
        {
            var length = (int)Math.Round(provider.Total / max * width);
            var label = provider.Total.ToString("0.00", CultureInfo.InvariantCulture) + " " + provider.Currency + (provider.Complete ? "" : " +");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{y + 19}\">{Html.E(provider.Provider)}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<rect data-provider=\"{Html.E(provider.Provider)}\" x=\"{labelWidth}\" y=\"{y}\" width=\"{Math.Max(length, 1)}\" height=\"{barHeight}\" fill=\"{(provider.Provider == report.Cheapest ? "#17803d" : "#3e63dd")}\"></rect>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelWidth + Math.Max(length, 1) + 8}\" y=\"{y + 19}\">{Html.E(label)}</text>");
            y += barHeight + gap;
        }

        return svg.Append("</svg>").ToString();
    }
}
