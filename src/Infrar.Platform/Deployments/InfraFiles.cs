namespace Infrar.Platform.Deployments;

/// <summary>The files a deployment may carry: OpenTofu sources by plain name, nothing that could reach outside its folder.</summary>
internal static class InfraFiles
{
    private static readonly string[] Extensions = [".tf", ".tf.json", ".tfvars", ".tfvars.json"];

    /// <summary>Why a file name is refused, or null when it is acceptable.</summary>
    public static string? Problem(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal) || name.StartsWith('.'))
        {
            return $"'{name}' is not a plain file name";
        }

        if (!Extensions.Any(e => name.EndsWith(e, StringComparison.Ordinal)))
        {
            return $"'{name}' is not an OpenTofu file ({string.Join(", ", Extensions)})";
        }

        if (name == "infrar_backend.tf")
        {
            return "'infrar_backend.tf' is written by the service";
        }

        return null;
    }

    public static string EnsureSafeName(string name) =>
        Problem(name) is { } problem ? throw new InvalidOperationException($"Refusing infra file: {problem}.") : name;
}
