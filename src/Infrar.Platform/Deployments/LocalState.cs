using System.Text.Json;

namespace Infrar.Platform.Deployments;

/// <summary>A local environment's OpenTofu state file, as the service keeps it between runs.</summary>
internal static class LocalState
{
    /// <summary>The state's serial, which OpenTofu raises on every write; null when the text is not a state file.</summary>
    public static long? Serial(string state)
    {
        try
        {
            using var document = JsonDocument.Parse(state);
            return document.RootElement.TryGetProperty("serial", out var serial) && serial.TryGetInt64(out var value) ? value : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
