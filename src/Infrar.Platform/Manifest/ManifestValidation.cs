using System.Text.Json;

namespace Infrar.Platform.Manifest;

/// <summary>
/// Checks a manifest a deployment carries before the service keeps it: the shape docs/manifest.md describes, with
/// every problem keyed by its field (<c>manifest.service.port</c>), so a bad manifest is a 400, never a failure later.
/// </summary>
internal static class ManifestValidation
{
    public const int MaxResources = 1000;
    public const int MaxOperations = 100;
    public const int MaxCallSites = 10_000;

    public static ManifestDocument? Validate(JsonElement manifest, string environmentProvider, Dictionary<string, string[]> errors)
    {
        var before = errors.Count;
        if (manifest.ValueKind != JsonValueKind.Object)
        {
            errors["manifest"] = ["manifest is the build's infrar.manifest.json, a JSON object."];
            return null;
        }

        if (!manifest.TryGetProperty("schemaVersion", out var version) || version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var v) || v != 1)
        {
            errors["manifest.schemaVersion"] = ["schemaVersion must be 1, the manifest version this service reads."];
        }

        Text(manifest, "project", "manifest.project", 1, 200, errors);
        if (Text(manifest, "provider", "manifest.provider", 1, 20, errors) is { } provider && provider != environmentProvider)
        {
            errors["manifest.provider"] = [$"The manifest was built for {provider}, but the environment is {environmentProvider}; build with -p:InfrarProvider={environmentProvider}."];
        }

        if (!manifest.TryGetProperty("service", out var service) || service.ValueKind != JsonValueKind.Object)
        {
            errors["manifest.service"] = ["service is an object: name, port, cpu, memoryMiB, minInstances."];
        }
        else
        {
            Text(service, "name", "manifest.service.name", 1, 63, errors);
            Number(service, "port", "manifest.service.port", 1, 65535, integer: true, errors);
            Number(service, "cpu", "manifest.service.cpu", 0.01m, 64, integer: false, errors);
            Number(service, "memoryMiB", "manifest.service.memoryMiB", 1, 1024 * 1024, integer: true, errors);
            Number(service, "minInstances", "manifest.service.minInstances", 0, 1000, integer: true, errors);
        }

        if (!manifest.TryGetProperty("resources", out var resources) || resources.ValueKind != JsonValueKind.Array)
        {
            errors["manifest.resources"] = ["resources is an array of the resources the code uses."];
        }
        else if (resources.GetArrayLength() > MaxResources)
        {
            errors["manifest.resources"] = [$"a manifest lists at most {MaxResources} resources."];
        }
        else
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            var i = 0;
            foreach (var resource in resources.EnumerateArray())
            {
                var at = $"manifest.resources[{i++}]";
                if (resource.ValueKind != JsonValueKind.Object)
                {
                    errors[at] = ["a resource is an object."];
                    continue;
                }

                Text(resource, "kind", at + ".kind", 1, 50, errors);
                if (Text(resource, "name", at + ".name", 1, 200, errors) is { } name && !names.Add(name))
                {
                    errors[at + ".name"] = [$"'{name}' is listed twice."];
                }

                Text(resource, "declaredAt", at + ".declaredAt", 0, 1000, errors);
                if (!resource.TryGetProperty("operations", out var operations) || operations.ValueKind != JsonValueKind.Array || operations.GetArrayLength() > MaxOperations)
                {
                    errors[at + ".operations"] = [$"operations is an array of at most {MaxOperations}."];
                    continue;
                }

                var j = 0;
                foreach (var operation in operations.EnumerateArray())
                {
                    var op = $"{at}.operations[{j++}]";
                    if (operation.ValueKind != JsonValueKind.Object)
                    {
                        errors[op] = ["an operation is an object."];
                        continue;
                    }

                    Text(operation, "id", op + ".id", 1, 100, errors);
                    Text(operation, "access", op + ".access", 1, 100, errors);
                    if (!operation.TryGetProperty("callSites", out var sites) || sites.ValueKind != JsonValueKind.Array || sites.GetArrayLength() > MaxCallSites ||
                        sites.EnumerateArray().Any(s => s.ValueKind != JsonValueKind.String))
                    {
                        errors[op + ".callSites"] = [$"callSites is an array of at most {MaxCallSites} strings."];
                    }
                }
            }
        }

        if (errors.Count > before)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(manifest, ManifestJson.Default.ManifestDocument);
        }
        catch (JsonException e)
        {
            errors["manifest" + (e.Path is { Length: > 1 } path ? path.TrimStart('$') : "")] = [e.Message];
            return null;
        }
    }

    private static string? Text(JsonElement parent, string name, string at, int min, int max, Dictionary<string, string[]> errors)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String || value.GetString()!.Length < min || value.GetString()!.Length > max)
        {
            errors[at] = [$"{name} is a string of {min} to {max} characters."];
            return null;
        }

        return value.GetString();
    }

    private static void Number(JsonElement parent, string name, string at, decimal min, decimal max, bool integer, Dictionary<string, string[]> errors)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Number || !value.TryGetDecimal(out var number) ||
            number < min || number > max || (integer && number != decimal.Truncate(number)))
        {
            errors[at] = [$"{name} is {(integer ? "a whole number" : "a number")} from {min} to {max}."];
        }
    }
}
