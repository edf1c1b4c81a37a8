namespace Infrar;

/// <summary>
/// A storage operation failed. Every provider's errors are mapped onto this family; <see cref="InfrarException.ProviderErrorCode"/>
/// keeps the provider's own code (for example <c>NoSuchKey</c>, <c>BlobNotFound</c> or <c>notFound</c>).
/// </summary>
public class StorageException : InfrarException
{
    /// <summary>Creates the exception.</summary>
    public StorageException(string message, string provider, string? bucket, string? key, string? providerErrorCode, Exception? innerException = null)
        : base(message, provider, providerErrorCode, innerException)
    {
        Bucket = bucket;
        Key = key;
    }

    /// <summary>The physical bucket name, when the failure concerns one.</summary>
    public string? Bucket { get; }

    /// <summary>The object key, when the failure concerns one.</summary>
    public string? Key { get; }

    private protected static string Describe(string what, string provider, string? code) =>
        code is null ? $"{what} ({provider})." : $"{what} ({provider}: {code}).";
}

/// <summary>The object does not exist.</summary>
public sealed class ObjectNotFoundException(string provider, string? bucket, string? key, string? providerErrorCode, Exception? innerException = null)
    : StorageException(Describe($"Object '{key}' was not found in bucket '{bucket}'", provider, providerErrorCode), provider, bucket, key, providerErrorCode, innerException);

/// <summary>The bucket does not exist: it has not been provisioned, or its physical name is wrong.</summary>
public sealed class BucketNotFoundException(string provider, string? bucket, string? key, string? providerErrorCode, Exception? innerException = null)
    : StorageException(Describe($"Bucket '{bucket}' does not exist", provider, providerErrorCode), provider, bucket, key, providerErrorCode, innerException);

/// <summary>A condition of the request did not hold.</summary>
public class PreconditionFailedException : StorageException
{
    /// <summary>Creates the exception.</summary>
    public PreconditionFailedException(string provider, string? bucket, string? key, string? providerErrorCode, Exception? innerException = null)
        : this(Describe($"A precondition failed for object '{key}' in bucket '{bucket}'", provider, providerErrorCode), provider, bucket, key, providerErrorCode, innerException)
    {
    }

    private protected PreconditionFailedException(string message, string provider, string? bucket, string? key, string? providerErrorCode, Exception? innerException)
        : base(message, provider, bucket, key, providerErrorCode, innerException)
    {
    }
}

/// <summary>An upload with <see cref="UploadOptions.IfNotExists"/> found an object already there.</summary>
public sealed class ObjectAlreadyExistsException(string provider, string? bucket, string? key, string? providerErrorCode, Exception? innerException = null)
    : PreconditionFailedException(Describe($"Object '{key}' already exists in bucket '{bucket}'", provider, providerErrorCode), provider, bucket, key, providerErrorCode, innerException);

/// <summary>The application's identity is not allowed to do this.</summary>
public sealed class AccessDeniedException(string provider, string? bucket, string? key, string? providerErrorCode, Exception? innerException = null)
    : StorageException(Describe($"Access denied to bucket '{bucket}'{(key is null ? "" : $", object '{key}'")}", provider, providerErrorCode), provider, bucket, key, providerErrorCode, innerException);
