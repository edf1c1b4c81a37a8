using System.Globalization;
using Infrar.Platform.Manifest;

namespace Infrar.Platform.Cost;

/// <summary>Prices what a manifest uses, at a usage profile's volumes, on every provider in the price book.</summary>
internal static class CostEngine
{
    public const decimal HoursPerMonth = 730;

    public static CostReport Estimate(ManifestDocument manifest, UsageProfile usage, PriceBook prices)
    {
        var estimates = prices.Providers.Values
            .OrderBy(p => p.Provider, StringComparer.Ordinal)
            .Select(p => EstimateProvider(manifest, usage, p))
            .ToList();
        return new CostReport(manifest.Project, estimates, CallSites(manifest, prices), usage.Assumptions);
    }

    public static CostDiff Compare(CostReport before, CostReport after) => new([.. after.Providers.Select(a =>
    {
        var b = before.Providers.Single(p => p.Provider == a.Provider);
        var keys = b.Lines.Select(Key).Union(a.Lines.Select(Key)).Distinct();
        var lines = keys
            .Select(k => new LineDiff(k.Resource, k.Category, Sum(b, k), Sum(a, k)))
            .Where(l => l.Before != l.After)
            .ToList();
        return new ProviderDiff(a.Provider, b.Total, a.Total, lines);
    })]);

    private static ProviderEstimate EstimateProvider(ManifestDocument manifest, UsageProfile usage, ProviderPrices provider)
    {
        var region = usage.Regions.TryGetValue(provider.Provider, out var chosen) ? chosen : provider.DefaultRegion;
        var lines = new List<LineItem>();
        var missing = new List<string>();
        if (!provider.Regions.TryGetValue(region, out var prices))
        {
            missing.Add($"no price for {provider.Provider} in region {region} (prices exist for {string.Join(", ", provider.Regions.Keys)})");
            return new ProviderEstimate(provider.Provider, region, provider.Currency, lines, missing);
        }

        var buckets = usage.Buckets.OrderBy(b => b.Key, StringComparer.Ordinal).ToList();
        Tiered(lines, missing, provider.Provider, "buckets", "storage", prices.Storage, buckets.Sum(b => b.Value.StoredGb));
        foreach (var (name, bucket) in buckets)
        {
            Requests(lines, missing, provider.Provider, name, "writes", prices.Requests.GetValueOrDefault("class_a"), bucket.WritesPerMonth);
            Requests(lines, missing, provider.Provider, name, "reads", prices.Requests.GetValueOrDefault("class_b"), bucket.ReadsPerMonth);
        }

        Tiered(lines, missing, provider.Provider, "buckets", "egress", prices.Egress, buckets.Sum(b => b.Value.EgressGb));

        // Each message is sent once, and received and completed once: the send and receive meters price a message each.
        foreach (var (name, messages) in usage.Queues.OrderBy(q => q.Key, StringComparer.Ordinal))
        {
            foreach (var (access, category) in new[] { ("send", "sends"), ("receive", "receives") })
            {
                if (Class(access) is { } price)
                {
                    Requests(lines, missing, provider.Provider, name, category, price, messages);
                }
                else if (messages > 0)
                {
                    missing.Add($"no price for {provider.Provider} queue {category}: the price book names no request class for {access}");
                }
            }
        }

        Compute(lines, missing, provider.Provider, manifest.Service.Name, prices.Compute, usage.App);
        return new ProviderEstimate(provider.Provider, region, provider.Currency, lines, missing);

        RequestPrice? Class(string access) =>
            provider.OperationClasses.TryGetValue(access, out var name) && prices.Requests.TryGetValue(name, out var price) ? price : null;
    }

    /// <summary>
    /// What moving <paramref name="gb"/> out of a provider's region costs once (a migration's copy): its egress meter,
    /// free allowance and tiers. Null when the region has no price; the lines say how it was reached.
    /// </summary>
    public static (decimal? Cost, IReadOnlyList<LineItem> Lines, IReadOnlyList<string> Missing) Egress(ProviderPrices provider, string? region, decimal gb)
    {
        var lines = new List<LineItem>();
        var missing = new List<string>();
        region ??= provider.DefaultRegion;
        if (!provider.Regions.TryGetValue(region, out var prices))
        {
            return (null, lines, [$"no price for {provider.Provider} in region {region}"]);
        }

        Tiered(lines, missing, provider.Provider, "copy", "egress", prices.Egress, gb);
        return (missing.Count == 0 ? lines.Sum(l => l.Cost ?? 0) : null, lines, missing);
    }

    /// <summary>A tiered meter: the free allowance first, then each tier in turn, one line per tier used.</summary>
    private static void Tiered(List<LineItem> lines, List<string> missing, string provider, string resource, string category, TieredPrice price, decimal quantity)
    {
        var billable = Math.Max(0, quantity - (price.Free?.Quantity ?? 0));
        if (price.Free is { } free && quantity > 0)
        {
            lines.Add(new LineItem(resource, category, $"{price.Meter} (free allowance)", Math.Min(quantity, free.Quantity), price.Unit, 0, 1, 0, free.Source));
        }

        decimal start = 0;
        foreach (var tier in price.Tiers)
        {
            if (billable <= start)
            {
                break;
            }

            var end = tier.UpTo is { } upTo ? Math.Min(billable, upTo) : billable;
            var amount = end - start;
            var meter = price.Tiers.Count == 1 ? price.Meter
                : tier.UpTo is { } bound ? $"{price.Meter} ({Number(start)} to {Number(bound)} {price.Unit.Split('-')[0]})"
                : $"{price.Meter} (over {Number(start)} {price.Unit.Split('-')[0]})";
            lines.Add(Line(resource, category, meter, amount, price.Unit, tier.Price, 1, tier.Source));
            if (tier.Price is null)
            {
                missing.Add($"no price for {provider} {meter}: {tier.Source}");
            }

            start = end;
        }
    }

    private static void Requests(List<LineItem> lines, List<string> missing, string provider, string resource, string category, RequestPrice? price, long count)
    {
        if (price is null || count == 0)
        {
            return;
        }

        lines.Add(Line(resource, category, price.Meter, count, "requests", price.Price, price.Per, price.Source));
        if (price.Price is null)
        {
            missing.Add($"no price for {provider} {price.Meter}: {price.Source}");
        }
    }

    private static void Compute(List<LineItem> lines, List<string> missing, string provider, string app, ComputePrices compute, AppUsage usage)
    {
        if (compute.Kind == "always_on")
        {
            var instances = Math.Max(1, usage.MinInstances);
            Priced(lines, missing, provider, app, $"{compute.Service} vCPU", instances * HoursPerMonth * usage.Vcpu, "vCPU-hours", compute.VcpuHour, 1);
            Priced(lines, missing, provider, app, $"{compute.Service} memory", instances * HoursPerMonth * usage.MemoryGib, "GiB-hours", compute.GibHour, 1);
            return;
        }

        var free = compute.Free;
        var activeSeconds = usage.RequestsPerMonth * usage.AverageDurationMs / 1000m;
        Priced(lines, missing, provider, app, $"{compute.Service} vCPU", Math.Max(0, activeSeconds * usage.Vcpu - (free?.VcpuSeconds ?? 0)), "vCPU-seconds", compute.VcpuSecond, 1);
        Priced(lines, missing, provider, app, $"{compute.Service} memory", Math.Max(0, activeSeconds * usage.MemoryGib - (free?.GibSeconds ?? 0)), "GiB-seconds", compute.GibSecond, 1);
        Priced(lines, missing, provider, app, $"{compute.Service} requests", Math.Max(0, usage.RequestsPerMonth - (free?.Requests ?? 0)), "requests", compute.MillionRequests, 1_000_000);
        if (usage.MinInstances > 0)
        {
            Priced(lines, missing, provider, app, $"{compute.Service} idle minimum instances", usage.MinInstances * HoursPerMonth, "instance-hours", compute.IdleInstance, 1);
        }
    }

    /// <summary>A line at a unit price; a quantity of zero needs no price.</summary>
    private static void Priced(List<LineItem> lines, List<string> missing, string provider, string resource, string meter, decimal quantity, string unit, UnitPrice? price, decimal per)
    {
        if (quantity == 0)
        {
            lines.Add(new LineItem(resource, "compute", meter, 0, unit, price?.Price, per, 0, price?.Source ?? ""));
            return;
        }

        lines.Add(Line(resource, "compute", meter, quantity, unit, price?.Price, per, price?.Source ?? "no price"));
        if (price?.Price is null)
        {
            missing.Add($"no price for {provider} {meter}: {price?.Source ?? "not in the price book"}");
        }
    }

    private static IReadOnlyList<CallSiteCost> CallSites(ManifestDocument manifest, PriceBook prices) =>
        [.. manifest.Resources
            .SelectMany(r => r.Operations.Select(o => (Bucket: r.Name, Operation: o)))
            .Select(x => new CallSiteCost(
                x.Bucket,
                x.Operation.Id,
                x.Operation.CallSites,
                prices.Providers.Values.OrderBy(p => p.Provider, StringComparer.Ordinal).ToDictionary(p => p.Provider, p => PerMillion(p, x.Operation.Access))))];

    /// <summary>What a million calls of an operation with this access cost in the provider's default region.</summary>
    private static decimal? PerMillion(ProviderPrices provider, string access)
    {
        var requestClass = provider.OperationClasses.GetValueOrDefault(access, "none");
        if (requestClass is "free" or "none")
        {
            return 0;
        }

        var price = provider.Regions[provider.DefaultRegion].Requests.GetValueOrDefault(requestClass);
        return price?.Price is { } unit ? unit / price.Per * 1_000_000 : null;
    }

    private static LineItem Line(string resource, string category, string meter, decimal quantity, string unit, decimal? price, decimal per, string source) =>
        new(resource, category, meter, quantity, unit, price, per, price is { } p ? quantity * p / per : null, source);

    private static (string Resource, string Category) Key(LineItem line) => (line.Resource, line.Category);

    /// <summary>What a resource's category costs, or null when the estimate has no such line (a bucket added or removed).</summary>
    private static decimal? Sum(ProviderEstimate estimate, (string Resource, string Category) key)
    {
        var lines = estimate.Lines.Where(l => Key(l) == key).ToList();
        return lines.Count == 0 ? null : lines.Sum(l => l.Cost ?? 0);
    }

    private static string Number(decimal value) => value.ToString("#,0.##", CultureInfo.InvariantCulture);
}
