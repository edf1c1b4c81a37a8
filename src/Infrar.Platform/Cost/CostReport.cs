namespace Infrar.Platform.Cost;

/// <summary>One priced quantity: <see cref="Cost"/> is <see cref="Quantity"/> × <see cref="UnitPrice"/> / <see cref="Per"/>, or null when no price is known.</summary>
/// <param name="Category">What is bought, the same on every provider: storage, writes, reads, egress or compute.</param>
internal sealed record LineItem(string Resource, string Category, string Meter, decimal Quantity, string Unit, decimal? UnitPrice, decimal Per, decimal? Cost, string Source);

/// <summary>A provider's monthly estimate. <see cref="Total"/> sums the priced lines; it is a floor when <see cref="Missing"/> is not empty.</summary>
internal sealed record ProviderEstimate(string Provider, string Region, string Currency, IReadOnlyList<LineItem> Lines, IReadOnlyList<string> Missing)
{
    public decimal Total => Lines.Sum(l => l.Cost ?? 0);

    public bool Complete => Missing.Count == 0;
}

/// <summary>What a million calls of one operation cost on each provider, with the lines of code making them.</summary>
internal sealed record CallSiteCost(string Bucket, string Operation, IReadOnlyList<string> CallSites, IReadOnlyDictionary<string, decimal?> PerMillionCalls);

/// <summary>Every provider side by side, and what the estimate assumed.</summary>
internal sealed record CostReport(string Project, IReadOnlyList<ProviderEstimate> Providers, IReadOnlyList<CallSiteCost> CallSites, IReadOnlyList<string> Assumptions)
{
    /// <summary>The provider with the lowest complete estimate, or null when none is complete.</summary>
    public string? Cheapest => Providers.Where(p => p.Complete).OrderBy(p => p.Total).FirstOrDefault()?.Provider;
}

/// <summary>What changes between two manifests, per provider: the totals, and each line that moved.</summary>
internal sealed record CostDiff(IReadOnlyList<ProviderDiff> Providers);

internal sealed record ProviderDiff(string Provider, decimal Before, decimal After, IReadOnlyList<LineDiff> Lines)
{
    public decimal Change => After - Before;
}

internal sealed record LineDiff(string Resource, string Category, decimal? Before, decimal? After);
