using System.Diagnostics.CodeAnalysis;
using Infrar.Naming;

namespace Infrar;

/// <summary>Declares the object storage buckets an application uses.</summary>
/// <remarks>
/// Infrar reads every declaration at compile time: the bucket name must be a compile-time constant so
/// that its infrastructure and permissions can be generated.
/// </remarks>
public static class Storage
{
    /// <summary>Declares a bucket by its logical name and returns a handle to it.</summary>
    /// <param name="name">
    /// The logical name, a compile-time constant. The physical name is read from the environment variable
    /// <c>INFRAR_BUCKET_&lt;NAME&gt;</c> (upper case, other characters as <c>_</c>) and falls back to this name.
    /// </param>
    /// <param name="options">What the generated infrastructure gives this bucket.</param>
    public static Bucket Bucket([ConstantExpected] string name, BucketOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var physicalName = Environment.GetEnvironmentVariable(ResourceNames.BucketEnvironmentVariable(name));
        return new Bucket(name, string.IsNullOrEmpty(physicalName) ? name : physicalName, options ?? BucketOptions.Default);
    }
}
