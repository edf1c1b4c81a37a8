namespace Infrar;

/// <summary>
/// Lets a bucket be public: anyone may read every object in it. Without this, declaring
/// <see cref="BucketOptions.Public"/> fails the build (INFRAR0020).
/// </summary>
/// <param name="bucket">The bucket's logical name.</param>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class AllowPublicBucketAttribute(string bucket) : Attribute
{
    /// <summary>The bucket's logical name.</summary>
    public string Bucket { get; } = bucket;

    /// <summary>Why it is public, for the reviewer.</summary>
    public string? Reason { get; init; }
}

/// <summary>
/// Lets a grant on a bucket use a wildcard action. Without this, such a grant fails the build (INFRAR0021).
/// </summary>
/// <param name="bucket">The bucket's logical name, or <c>*</c> for grants on the account or the app's identity.</param>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class AllowWideGrantAttribute(string bucket) : Attribute
{
    /// <summary>The bucket's logical name.</summary>
    public string Bucket { get; } = bucket;

    /// <summary>Why the grant must be wide, for the reviewer.</summary>
    public string? Reason { get; init; }
}
