using System.Text.Json;
using System.Text.RegularExpressions;
using Infrar.Generators.Catalog;
using Infrar.Platform.Deployments;
using Infrar.Platform.Manifest;
using Infrar.Platform.Policies;
using Infrar.Platform.Security;

namespace Infrar.Platform.Api;

/// <summary>Checks request bodies; each problem is keyed by the field it is about, as a 400's problem details show it.</summary>
internal static partial class RequestValidation
{
    /// <summary>Every provider an environment may name: the catalog's default first, then the clouds.</summary>
    public static readonly string[] Providers = [EmbeddedCatalog.Value.DefaultProvider, .. EmbeddedCatalog.Value.Clouds.Select(p => p.Id)];

    public static Dictionary<string, string[]> Project(CreateProjectRequest? request)
    {
        var errors = new Dictionary<string, string[]>();
        CheckName(errors, "name", request?.Name);
        return errors;
    }

    public static Dictionary<string, string[]> Environment(CreateEnvironmentRequest? request, PlatformOptions options)
    {
        var errors = new Dictionary<string, string[]>();
        CheckName(errors, "name", request?.Name);
        if (request?.Provider is not { } provider || !Providers.Contains(provider, StringComparer.Ordinal))
        {
            errors["provider"] = [$"provider must be one of {string.Join(", ", Providers)}."];
            return errors;
        }

        var catalog = EmbeddedCatalog.Value.Providers[provider];
        foreach (var required in catalog.State.Settings.Where(s => s.Required).Select(s => s.Name))
        {
            if (request.State?.GetValueOrDefault(required) is not { Length: > 0 })
            {
                errors[$"state.{required}"] = [$"A {provider} environment keeps its OpenTofu state in {catalog.State.Backend} and needs state.{required}."];
            }
        }

        foreach (var name in request.Variables?.Keys ?? Enumerable.Empty<string>())
        {
            if (!VariableName().IsMatch(name))
            {
                errors[$"variables.{name}"] = ["A variable name is letters, digits and '_', not starting with a digit."];
            }
        }

        if (catalog.FolderVariable is { } folder && request.Variables?.GetValueOrDefault(folder) is { } root && LocalRootProblem(folder, root, options) is { } rootProblem)
        {
            errors[$"variables.{folder}"] = [rootProblem];
        }

        foreach (var (field, messages) in request.Image?.Problems(catalog) ?? [])
        {
            errors[field] = messages;
        }

        foreach (var (name, value) in request.Credentials ?? [])
        {
            if (CredentialNames.Problem(name) is { } problem)
            {
                errors[$"credentials.{name}"] = [problem + "."];
            }
            else if (string.IsNullOrEmpty(value) || value.Length < SecretMask.MinimumLength)
            {
                errors[$"credentials.{name}"] = [$"A credential's value has at least {SecretMask.MinimumLength} characters, so that it can be masked in logs; pass anything shorter, and not secret, as a variable."];
            }
        }

        return errors;
    }

    /// <summary>Why the folder a provider's runs write (the local provider's buckets) is refused: the sandbox may write it, so never the service's own folders.</summary>
    private static string? LocalRootProblem(string variable, string root, PlatformOptions options)
    {
        if (!Path.IsPathFullyQualified(root) || root.Contains('\0', StringComparison.Ordinal))
        {
            return $"{variable} is an absolute path.";
        }

        var full = Path.GetFullPath(root).TrimEnd('/') + "/";
        foreach (var own in new[] { options.DataDirectory, options.WorkRoot })
        {
            var folder = Path.GetFullPath(own).TrimEnd('/') + "/";
            if (full.StartsWith(folder, StringComparison.Ordinal) || folder.StartsWith(full, StringComparison.Ordinal))
            {
                return $"{variable} may not be, hold or lie inside the service's own folder {own}.";
            }
        }

        return full == "/" ? $"{variable} may not be /." : null;
    }

    /// <summary>
    /// Checks a deployment: its files against the infrastructure policy (each refusal under <c>infra.&lt;file&gt;</c> with
    /// its line and rule) and its manifest's shape; the manifest is returned when it is valid.
    /// </summary>
    public static Dictionary<string, string[]> Deployment(CreateDeploymentRequest? request, string environmentProvider, InfraPolicy policy, out List<PolicyViolation> violations)
    {
        var errors = new Dictionary<string, string[]>();
        violations = [];
        if (request?.Infra is not { Count: > 0 } infra)
        {
            errors["infra"] = ["infra holds the build's infra/<provider> folder: file name to content, at least one .tf file."];
            return errors;
        }

        if (infra.Values.Any(v => v is null))
        {
            errors["infra"] = ["every file of infra needs content (a string)."];
            return errors;
        }

        violations = [.. policy.Check(infra, environmentProvider)];
        foreach (var group in violations.GroupBy(v => v.File, StringComparer.Ordinal))
        {
            errors[group.Key == "infra" ? "infra" : $"infra.{group.Key}"] = [.. group.Select(v => v.ToString())];
        }

        if (!infra.Keys.Any(name => name.EndsWith(".tf", StringComparison.Ordinal)))
        {
            errors["infra"] = ["infra has no .tf file."];
        }

        if (request.Manifest is { } manifest)
        {
            ManifestValidation.Validate(manifest, environmentProvider, errors);
        }

        return errors;
    }

    public static Dictionary<string, string[]> Token(CreateTokenRequest? request)
    {
        var errors = new Dictionary<string, string[]>();
        CheckName(errors, "name", request?.Name);
        if (request?.Role is not { } role || !Roles.IsKnown(role))
        {
            errors["role"] = [$"role must be one of {string.Join(", ", Roles.All)}."];
        }

        return errors;
    }

    private static void CheckName(Dictionary<string, string[]> errors, string field, string? value)
    {
        if (string.IsNullOrEmpty(value) || !Name().IsMatch(value))
        {
            errors[field] = [$"{field} is 1 to 63 lower-case letters, digits and '-', starting with a letter or digit."];
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex Name();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex VariableName();

}
