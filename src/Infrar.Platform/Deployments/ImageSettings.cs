using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Infrar.Generators.Catalog;

namespace Infrar.Platform.Deployments;

/// <summary>
/// Where an environment's app image goes, as the environment says when it is made (<c>image</c>). A deployment built
/// from source for such an environment publishes the app as a container image with the .NET SDK (no Docker) and pushes
/// it to <see cref="Registry"/>; the digest pushed becomes OpenTofu's <c>var.image</c>. Without a registry (the local
/// provider only) the image is kept as an OCI archive in the service's data folder.
/// </summary>
/// <param name="Registry">The registry and any path before the repository: <c>123456789012.dkr.ecr.us-east-1.amazonaws.com</c>, <c>us-docker.pkg.dev/proj/apps</c>, <c>127.0.0.1:5000</c>.</param>
/// <param name="Repository">The image's repository in it; the project's name when not given.</param>
/// <param name="BaseImage">The image the app is layered on; the .NET SDK's choice (Microsoft's runtime image) when not given.</param>
/// <param name="HealthPath">The path asked after an apply to see the app answer; <c>/</c> when not given.</param>
internal sealed partial record ImageSettings(string? Registry, string? Repository, string? BaseImage, string? HealthPath)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public static ImageSettings? Read(string? json) => json is null ? null : JsonSerializer.Deserialize<ImageSettings>(json, Json);

    public string Write() => JsonSerializer.Serialize(this, Json);

    /// <summary>The registry's host (and port), which signs in and may be insecure.</summary>
    public string? RegistryHost => Registry?.Split('/')[0];

    public string RepositoryFor(string project) => Repository ?? RepositoryShape().Replace(project.ToLowerInvariant(), "-").Trim('-', '.', '_');

    public string Path => HealthPath ?? "/";

    /// <summary>What is wrong with the settings for an environment of this provider, by field; none when they can be used.</summary>
    public Dictionary<string, string[]> Problems(ProviderCatalog provider)
    {
        var errors = new Dictionary<string, string[]>();
        if (Registry is null)
        {
            if (provider.Hosting.RegistryLogin is not null)
            {
                errors["image.registry"] = [$"A {provider.Id} environment's image is pushed to a registry the hosting pulls from; name it (host[:port][/path])."];
            }
        }
        else if (Registry.Length > 255 || !RegistryShape().IsMatch(Registry))
        {
            errors["image.registry"] = [$"'{Registry}' is not a registry: host[:port] and an optional path, in lower case (us-docker.pkg.dev/my-project/apps)."];
        }

        if (Repository is not null && (Repository.Length > 200 || !RepositoryNameShape().IsMatch(Repository)))
        {
            errors["image.repository"] = [$"'{Repository}' is not a repository name: lower-case letters, digits and '.', '_', '-' between them, parts joined by '/'."];
        }

        if (BaseImage is not null && (BaseImage.Length > 400 || !ReferenceShape().IsMatch(BaseImage)))
        {
            errors["image.baseImage"] = [$"'{BaseImage}' is not an image reference (registry/repository:tag or @sha256:digest)."];
        }

        if (HealthPath is not null && (HealthPath.Length > 200 || !HealthPath.StartsWith('/') || HealthPath.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == '#')))
        {
            errors["image.healthPath"] = [$"'{HealthPath}' is not a path: it starts with '/' and holds no spaces or '#'."];
        }

        return errors;
    }

    [GeneratedRegex("^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?(/[a-z0-9]+([._-][a-z0-9]+)*)*$")]
    private static partial Regex RegistryShape();

    [GeneratedRegex("^[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*$")]
    private static partial Regex RepositoryNameShape();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._/:-]*(@sha256:[0-9a-f]{64})?$")]
    private static partial Regex ReferenceShape();

    [GeneratedRegex("[^a-z0-9._-]+")]
    private static partial Regex RepositoryShape();
}
