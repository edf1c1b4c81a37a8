namespace Infrar;

/// <summary>An Infrar operation failed on a provider: the base of <see cref="StorageException"/> and <see cref="QueueException"/>.</summary>
public abstract class InfrarException : Exception
{
    /// <summary>Creates the exception.</summary>
    protected InfrarException(string message, string provider, string? providerErrorCode, Exception? innerException)
        : base(message, innerException)
    {
        Provider = provider;
        ProviderErrorCode = providerErrorCode;
    }

    /// <summary>The provider that failed: <c>local</c>, <c>aws</c>, <c>azure</c> or <c>gcp</c>.</summary>
    public string Provider { get; }

    /// <summary>The provider's own error code, when it gave one.</summary>
    public string? ProviderErrorCode { get; }
}
