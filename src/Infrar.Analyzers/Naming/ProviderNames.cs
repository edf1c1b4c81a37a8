using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Infrar.Generators.Catalog;
using Infrar.Naming;

namespace Infrar.Analyzers.Naming;

/// <summary>Checks a resource name against every provider's naming rules in the catalog, and proposes one they all accept.</summary>
internal sealed class ProviderNames
{
    /// <summary>Bucket names: each cloud's storage naming rules.</summary>
    public static readonly ProviderNames Buckets = new("bucket", p => p.Storage!.Naming, _ => []);

    /// <summary>Queue names: each cloud's queue naming rules, for the queue and for its dead-letter queue.</summary>
    public static readonly ProviderNames Queues = new("queue", p => p.Queues!.Naming, name => [name + ResourceNames.DeadLetterSuffix]);

    private readonly Func<ProviderCatalog, IEnumerable<NamingRule>> _rules;
    private readonly Func<string, IEnumerable<string>> _companions;

    private ProviderNames(string fallback, Func<ProviderCatalog, IEnumerable<NamingRule>> rules, Func<string, IEnumerable<string>> companions)
    {
        Fallback = fallback;
        _rules = rules;
        _companions = companions;
    }

    /// <summary>The name proposed when no mended name is accepted everywhere.</summary>
    public string Fallback { get; }

    /// <summary>For each provider that refuses the name (or a name derived from it, such as its dead-letter queue's), its first reason.</summary>
    public IReadOnlyList<(string Provider, string Reason)> Problems(string name, InfrarCatalog catalog) =>
        [.. catalog.Clouds
            .Select(p => (p.Id, Reason: Refusal(p, name) ?? _companions(name).Select(derived => Refusal(p, derived) is { } why ? $"{why} (the dead-letter queue '{derived}')" : null).FirstOrDefault(r => r is not null)))
            .Where(p => p.Reason is not null)
            .Select(p => (p.Id, p.Reason!))];

    /// <summary>
    /// A name close to <paramref name="name"/> that every provider accepts: the name in lower case, mended by each rule's
    /// fixes in the catalog until none changes it; <see cref="Fallback"/> if even that is refused.
    /// </summary>
    public string Suggest(string name, InfrarCatalog catalog)
    {
        var suggestion = name.ToLowerInvariant();
        for (var pass = 0; pass < 4; pass++)
        {
            var before = suggestion;
            foreach (var rule in catalog.Clouds.SelectMany(_rules))
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

        return Problems(suggestion, catalog).Count == 0 ? suggestion : Fallback;
    }

    private string? Refusal(ProviderCatalog provider, string name) => _rules(provider).FirstOrDefault(r => !Accepts(r, name))?.Reason;

    private static bool Accepts(NamingRule rule, string name) =>
        (rule.Must is null || Regex.IsMatch(name, rule.Must)) && (rule.MustNot is null || !Regex.IsMatch(name, rule.MustNot));
}
