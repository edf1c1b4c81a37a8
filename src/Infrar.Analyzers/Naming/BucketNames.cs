using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Infrar.Generators.Catalog;

namespace Infrar.Analyzers.Naming;

/// <summary>Checks a bucket name against every provider's naming rules in the catalog, and proposes one they all accept.</summary>
internal static class BucketNames
{
    /// <summary>For each provider that refuses the name, its first reason.</summary>
    public static IReadOnlyList<(string Provider, string Reason)> Problems(string name, InfrarCatalog catalog) =>
        [.. catalog.Clouds
            .Select(p => (p.Id, Rule: p.Storage!.BucketNaming.FirstOrDefault(r => !Accepts(r, name))))
            .Where(p => p.Rule is not null)
            .Select(p => (p.Id, p.Rule!.Reason))];

    /// <summary>
    /// A name close to <paramref name="name"/> that every provider accepts: the name in lower case, mended by each rule's
    /// fixes in the catalog until none changes it; "bucket" if even that is refused.
    /// </summary>
    public static string Suggest(string name, InfrarCatalog catalog)
    {
        var suggestion = name.ToLowerInvariant();
        for (var pass = 0; pass < 4; pass++)
        {
            var before = suggestion;
            foreach (var rule in catalog.Clouds.SelectMany(p => p.Storage!.BucketNaming))
            {
                foreach (var fix in rule.Fixes)
                {
                    suggestion = Regex.Replace(suggestion, fix.Replace, fix.With);
                }
            }

            if (suggestion == before)
            {
                break;
            }
        }

        return Problems(suggestion, catalog).Count == 0 ? suggestion : "bucket";
    }

    private static bool Accepts(NamingRule rule, string name) =>
        (rule.Must is null || Regex.IsMatch(name, rule.Must)) && (rule.MustNot is null || !Regex.IsMatch(name, rule.MustNot));
}
