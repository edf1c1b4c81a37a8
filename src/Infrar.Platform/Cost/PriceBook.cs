using System.Reflection;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Infrar.Platform.Cost;

/// <summary>The list prices in <c>catalog/prices/*.yaml</c>, by provider. A null price is a price nobody could find, never zero.</summary>
internal sealed class PriceBook
{
    private static readonly IDeserializer Yaml = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();

    public required IReadOnlyDictionary<string, ProviderPrices> Providers { get; init; }

    /// <summary>The prices compiled into infrar.</summary>
    public static PriceBook Default { get; } = Load(typeof(PriceBook).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith("prices/", StringComparison.Ordinal))
        .ToDictionary(n => n, n => new StreamReader(typeof(PriceBook).Assembly.GetManifestResourceStream(n)!).ReadToEnd()));

    public static PriceBook Load(IReadOnlyDictionary<string, string> files) => new()
    {
        Providers = files.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f =>
        {
            try
            {
                return Yaml.Deserialize<ProviderPrices>(f.Value);
            }
            catch (YamlException e)
            {
                throw new InputException($"catalog/{f.Key}({e.Start.Line}): {e.InnerException?.Message ?? e.Message}", e);
            }
        }).ToDictionary(p => p.Provider),
    };
}

internal sealed class ProviderPrices
{
    public string Provider { get; set; } = "";

    public string Currency { get; set; } = "USD";

    public string DefaultRegion { get; set; } = "";

    public Dictionary<string, string> OperationClasses { get; set; } = [];

    public Dictionary<string, RegionPrices> Regions { get; set; } = [];
}

internal sealed class RegionPrices
{
    public TieredPrice Storage { get; set; } = new();

    public Dictionary<string, RequestPrice> Requests { get; set; } = [];

    public TieredPrice Egress { get; set; } = new();

    public ComputePrices Compute { get; set; } = new();
}

internal sealed class TieredPrice
{
    public string Meter { get; set; } = "";

    public string Unit { get; set; } = "";

    public FreeAllowance? Free { get; set; }

    public List<Tier> Tiers { get; set; } = [];
}

internal sealed class Tier
{
    /// <summary>Where this tier ends, counted from the first billable unit; null for the last tier.</summary>
    public decimal? UpTo { get; set; }

    public decimal? Price { get; set; }

    public string Source { get; set; } = "";

    public string? Date { get; set; }
}

internal sealed class FreeAllowance
{
    public decimal Quantity { get; set; }

    public string Source { get; set; } = "";
}

internal sealed class RequestPrice
{
    public string Meter { get; set; } = "";

    public decimal Per { get; set; } = 1;

    public decimal? Price { get; set; }

    public string Source { get; set; } = "";

    public string? Date { get; set; }
}

internal sealed class UnitPrice
{
    public decimal? Price { get; set; }

    public string Source { get; set; } = "";

    public string? Date { get; set; }
}

internal sealed class ComputePrices
{
    /// <summary><c>always_on</c>: billed per instance-hour (Fargate); <c>request_based</c>: billed per active second and request (Cloud Run, Container Apps).</summary>
    public string Kind { get; set; } = "";

    public string Service { get; set; } = "";

    public UnitPrice? VcpuHour { get; set; }

    public UnitPrice? GibHour { get; set; }

    public UnitPrice? VcpuSecond { get; set; }

    public UnitPrice? GibSecond { get; set; }

    public UnitPrice? MillionRequests { get; set; }

    public UnitPrice? IdleInstance { get; set; }

    public ComputeFree? Free { get; set; }
}

internal sealed class ComputeFree
{
    public decimal VcpuSeconds { get; set; }

    public decimal GibSeconds { get; set; }

    public decimal Requests { get; set; }

    public string Source { get; set; } = "";
}
