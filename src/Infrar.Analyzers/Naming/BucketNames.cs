using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Infrar.Generators.Catalog;

namespace Infrar.Analyzers.Naming;

/// <summary>Checks a bucket name against every provider's naming rules in the catalog, and proposes one they all accept.</summary>
internal static class BucketNames
{
    /// <summary>For each provider that refuses the name, its first reason.</summary>
    public static IReadOnlyList<(string Provider, string Reason)> Problems(string name, InfrarCatalog catalog) =>
        [.. catalog.Providers.Values
            .OrderBy(p => p.Id, System.StringComparer.Ordinal)
            .Select(p => (p.Id, Rule: p.Storage.BucketNaming.FirstOrDefault(r => !Accepts(r, name))))
            .Where(p => p.Rule is not null)
            .Select(p => (p.Id, p.Rule!.Reason))];

    /// <summary>A name close to <paramref name="name"/> that every provider accepts.</summary>
    public static string Suggest(string name, InfrarCatalog catalog)
    {
        var text = new StringBuilder();
        foreach (var c in name.ToLowerInvariant())
        {
            text.Append(c is >= 'a' and <= 'z' or >= '0' and <= '9' ? c : '-');
        }

        var suggestion = Regex.Replace(text.ToString(), "-{2,}", "-").Trim('-');
        suggestion = Regex.Replace(suggestion, "g[o0][o0]gle", "g");
        suggestion = Regex.Replace(suggestion, "^(goog|xn--|sthree-|amzn-s3-demo-)", "b-");
        if (suggestion.Length > 54)
        {
            suggestion = suggestion.Substring(0, 54).TrimEnd('-');
        }

        if (suggestion.Length < 3)
        {
            suggestion = suggestion.Length == 0 ? "bucket" : suggestion + "-bucket";
        }

        return Problems(suggestion, catalog).Count == 0 ? suggestion : "bucket";
    }

    private static bool Accepts(NamingRule rule, string name) =>
        (rule.Must is null || Regex.IsMatch(name, rule.Must)) && (rule.MustNot is null || !Regex.IsMatch(name, rule.MustNot));
}
