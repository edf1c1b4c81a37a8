using System.Text.Json;
using System.Text.RegularExpressions;
using Infrar.Platform.Deployments;
using Infrar.Platform.Security;

namespace Infrar.Platform.Api;

/// <summary>Checks request bodies; each problem is keyed by the field it is about, as a 400's problem details show it.</summary>
internal static partial class RequestValidation
{
    public static readonly string[] Providers = ["local", "aws", "gcp", "azure"];

    public static Dictionary<string, string[]> Project(CreateProjectRequest? request)
    {
        var errors = new Dictionary<string, string[]>();
        CheckName(errors, "name", request?.Name);
        return errors;
    }

    public static Dictionary<string, string[]> Environment(CreateEnvironmentRequest? request)
    {
        var errors = new Dictionary<string, string[]>();
        CheckName(errors, "name", request?.Name);
        if (request?.Provider is not { } provider || !Providers.Contains(provider, StringComparer.Ordinal))
        {
            errors["provider"] = [$"provider must be one of {string.Join(", ", Providers)}."];
            return errors;
        }

        foreach (var required in StateBackend.Required[provider])
        {
            if (request.State?.GetValueOrDefault(required) is not { Length: > 0 })
            {
                errors[$"state.{required}"] = [$"A {provider} environment keeps its OpenTofu state remotely and needs state.{required}."];
            }
        }

        foreach (var name in request.Variables?.Keys ?? Enumerable.Empty<string>())
        {
            if (!VariableName().IsMatch(name))
            {
                errors[$"variables.{name}"] = ["A variable name is letters, digits and '_', not starting with a digit."];
            }
        }

        foreach (var (name, value) in request.Credentials ?? [])
        {
            if (!CredentialName().IsMatch(name))
            {
                errors[$"credentials.{name}"] = ["A credential is passed as an environment variable: upper-case letters, digits and '_'."];
            }
            else if (string.IsNullOrEmpty(value))
            {
                errors[$"credentials.{name}"] = ["A credential needs a value."];
            }
        }

        return errors;
    }

    public static Dictionary<string, string[]> Deployment(CreateDeploymentRequest? request, string environmentProvider)
    {
        var errors = new Dictionary<string, string[]>();
        if (request?.Infra is not { Count: > 0 } infra)
        {
            errors["infra"] = ["infra holds the build's infra/<provider> folder: file name to content, at least one .tf file."];
            return errors;
        }

        foreach (var name in infra.Keys)
        {
            if (InfraFiles.Problem(name) is { } problem)
            {
                errors[$"infra.{name}"] = [problem + "."];
            }
        }

        if (!infra.Keys.Any(name => name.EndsWith(".tf", StringComparison.Ordinal)))
        {
            errors["infra"] = ["infra has no .tf file."];
        }

        if (request.Manifest is { } manifest)
        {
            if (manifest.ValueKind != JsonValueKind.Object)
            {
                errors["manifest"] = ["manifest is the build's infrar.manifest.json, a JSON object."];
            }
            else if (manifest.TryGetProperty("provider", out var provider) && provider.GetString() != environmentProvider)
            {
                errors["manifest.provider"] = [$"The manifest was built for {provider.GetString()}, but the environment is {environmentProvider}; build with -p:InfrarProvider={environmentProvider}."];
            }
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

    [GeneratedRegex("^[A-Z_][A-Z0-9_]*$")]
    private static partial Regex CredentialName();
}
