namespace Infrar.Platform.Tests;

/// <summary>Manifests and usage files written for a test, removed with it.</summary>
public sealed class CostFiles : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("infrar-cost-");

    public const string Shop = """
        {
          "schemaVersion": 1,
          "project": "Shop",
          "provider": "aws",
          "service": { "name": "shop", "port": 8080, "cpu": 1, "memoryMiB": 512, "minInstances": 0 },
          "resources": [
            {
              "kind": "bucket", "name": "photos", "environmentVariable": "INFRAR_BUCKET_PHOTOS", "declaredAt": "Program.cs:3",
              "options": { "versioning": false, "expireAfterDays": 0, "corsOrigins": [], "public": false },
              "operations": [
                { "id": "upload_bytes", "access": "write", "callSites": ["Program.cs:10"], "permissions": [] },
                { "id": "download_bytes", "access": "read", "callSites": ["Program.cs:12", "Program.cs:20"], "permissions": [] },
                { "id": "delete", "access": "delete", "callSites": ["Program.cs:14"], "permissions": [] },
                { "id": "list", "access": "list", "callSites": ["Program.cs:16"], "permissions": [] }
              ]
            }
          ],
          "untracedCalls": []
        }
        """;

    public const string Usage = """
        # What Shop does in a month.
        buckets:
          photos:
            stored_gb: 1000
            writes_per_month: 2000000
            reads_per_month: 10000000
            egress_gb: 15000
        app:
          requests_per_month: 5000000
          average_duration_ms: 100
          vcpu: 1
          memory_gib: 0.5
          min_instances: 0
        """;

    public string Write(string name, string text)
    {
        var path = Path.Combine(_folder.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() => _folder.Delete(recursive: true);
}
