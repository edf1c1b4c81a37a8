namespace Infrar;

/// <summary>
/// A call on an Infrar resource reached Infrar's local file store in an app built for a cloud: the compiler never saw
/// it as a call it could rewrite. The local store refuses, so that no data lands on the machine's own disk.
/// </summary>
public sealed class CallNotRewrittenException : InvalidOperationException
{
    internal CallNotRewrittenException(string message)
        : base(message)
    {
    }

    /// <summary>The provider the app was built for.</summary>
    public string? Provider { get; init; }

    /// <summary>The method that was called, as <c>Bucket.UploadAsync</c>.</summary>
    public string? Method { get; init; }
}
