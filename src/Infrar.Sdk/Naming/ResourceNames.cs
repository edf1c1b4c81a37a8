using System.Text;

namespace Infrar.Naming;

/// <summary>
/// The names that join generated infrastructure to running code. Compiled into both the SDK and the
/// generator, so that the variable the infrastructure sets is the one the code reads.
/// </summary>
internal static class ResourceNames
{
    /// <summary>The variable holding a bucket's physical name: <c>INFRAR_BUCKET_</c> + the logical name in upper case, other characters as <c>_</c>.</summary>
    public static string BucketEnvironmentVariable(string logicalName) => "INFRAR_BUCKET_" + ToEnvironmentToken(logicalName);

    /// <summary>Appended to a queue's name for its dead-letter queue's.</summary>
    public const string DeadLetterSuffix = "-dead-letters";

    /// <summary>The variable holding a queue's physical name: <c>INFRAR_QUEUE_</c> + the logical name, as for buckets.</summary>
    public static string QueueEnvironmentVariable(string logicalName) => "INFRAR_QUEUE_" + ToEnvironmentToken(logicalName);

    private static string ToEnvironmentToken(string name)
    {
        var token = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            token.Append(c is >= 'a' and <= 'z' ? (char)(c - 32) : c is >= 'A' and <= 'Z' or >= '0' and <= '9' ? c : '_');
        }

        return token.ToString();
    }
}
