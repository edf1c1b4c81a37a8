using System.ComponentModel;

namespace Infrar.Internal;

/// <summary>
/// Local buckets in a folder of the caller's choosing, for Infrar's platform: it reads and writes the buckets of several
/// local environments in one process when it migrates an app's data, each through the local provider's own code, so
/// the objects it writes are the objects the app would have written. Not for apps, which declare buckets with
/// <see cref="Storage.Bucket"/>.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class LocalBuckets
{
    /// <summary>The bucket whose folder is <paramref name="physicalName"/> under <paramref name="root"/>.</summary>
    public static Bucket At(string root, string physicalName)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentException.ThrowIfNullOrEmpty(physicalName);
        return new Bucket(physicalName, physicalName, new BucketOptions(), Path.GetFullPath(root));
    }
}
