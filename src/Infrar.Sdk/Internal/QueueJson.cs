using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Infrar.Internal;

/// <summary>
/// Serializes a value sent with <see cref="Queue.SendJsonAsync{T}(T, SendOptions?, CancellationToken)"/> the way every
/// provider's code does: System.Text.Json, web defaults. Public for the code Infrar generates; not an API.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class QueueJson
{
    /// <summary>The value as UTF-8 JSON.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Reached only from an interceptor of SendJsonAsync<T>, whose call site carries RequiresUnreferencedCode.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Reached only from an interceptor of SendJsonAsync<T>, whose call site carries RequiresDynamicCode.")]
    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, QueueMessage.JsonOptions);
}
