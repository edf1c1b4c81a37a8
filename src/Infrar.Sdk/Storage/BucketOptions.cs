namespace Infrar;

/// <summary>What the generated infrastructure gives a bucket. Set these with constants: they are read at compile time.</summary>
public sealed record BucketOptions
{
    internal static readonly BucketOptions Default = new();

    /// <summary>Keeps every version of every object.</summary>
    public bool Versioning { get; init; }

    /// <summary>Deletes objects this many days after they were written; 0 keeps them.</summary>
    public int ExpireAfterDays { get; init; }

    /// <summary>Origins allowed to call the bucket from a browser (CORS); empty allows none.</summary>
    public string[] CorsOrigins { get; init; } = [];

    /// <summary>Makes every object readable by anyone. Refused at build time unless the build allows it explicitly.</summary>
    public bool Public { get; init; }
}
