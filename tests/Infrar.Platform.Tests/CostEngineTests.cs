using Infrar.Platform.Cost;
using Infrar.Platform.Manifest;
using Xunit;

namespace Infrar.Platform.Tests;

/// <summary>Estimates checked against figures worked out by hand from catalog/prices.</summary>
public sealed class CostEngineTests : IDisposable
{
    private readonly CostFiles _files = new();

    [Fact]
    public void Aws_storage_requests_tiered_egress_after_the_free_allowance_and_fargate_hours()
    {
        var aws = Estimate().Providers.Single(p => p.Provider == "aws");

        // 1,000 GB x $0.023 = 23.00; 2M writes / 1,000 x $0.005 = 10.00; 10M reads / 1,000 x $0.0004 = 4.00
        Assert.Equal(23.00m, Cost(aws, "storage"));
        Assert.Equal(10.00m, Cost(aws, "writes"));
        Assert.Equal(4.00m, Cost(aws, "reads"));

        // 15,000 GB egress, 100 GB free: 10,240 x $0.09 = 921.60, then 4,660 x $0.085 = 396.10
        Assert.Equal([0m, 921.60m, 396.10m], aws.Lines.Where(l => l.Category == "egress").Select(l => l.Cost!.Value));
        Assert.Equal([100m, 10240m, 4660m], aws.Lines.Where(l => l.Category == "egress").Select(l => l.Quantity));

        // one task, always on: 730 h x 1 vCPU x $0.04048 = 29.5504; 730 h x 0.5 GiB x $0.004445 = 1.622425
        Assert.Equal(29.5504m + 1.622425m, Cost(aws, "compute"));
        Assert.Equal(1385.872825m, aws.Total);
        Assert.True(aws.Complete);
    }

    [Fact]
    public void Gcp_egress_tiers_and_cloud_run_free_grants()
    {
        var gcp = Estimate().Providers.Single(p => p.Provider == "gcp");

        // no free egress: 1,024 x $0.12 = 122.88; 9,216 x $0.11 = 1,013.76; 4,760 x $0.08 = 380.80
        Assert.Equal([122.88m, 1013.76m, 380.80m], gcp.Lines.Where(l => l.Category == "egress").Select(l => l.Cost!.Value));

        // 5M requests x 0.1 s = 500,000 active s: vCPU 500,000 - 180,000 free = 320,000 x $0.000024 = 7.68;
        // memory 250,000 GiB-s within the 360,000 free = 0; requests 5M - 2M free = 3M x $0.40 per million = 1.20
        var compute = gcp.Lines.Where(l => l.Category == "compute").ToList();
        Assert.Equal([320000m, 0m, 3000000m], compute.Select(l => l.Quantity));
        Assert.Equal([7.68m, 0m, 1.20m], compute.Select(l => l.Cost!.Value));
        Assert.Equal(20m + 10m + 4m + 1517.44m + 8.88m, gcp.Total);
    }

    [Fact]
    public void A_missing_price_is_reported_by_name_never_priced_at_zero_and_leaves_the_total_a_floor()
    {
        var report = Estimate();
        var azure = report.Providers.Single(p => p.Provider == "azure");

        // 14,900 billable GB: 10,240 x $0.087 = 890.88, and 4,660 GB above 10 TB with no price;
        // 3M requests above the free 2M with no price
        Assert.Equal(
            [
                "no price for azure Data transfer out to the internet (over 10,240 GB): not in the reference prices",
                "no price for azure Container Apps (consumption) requests: the Container Apps request price was not found",
            ],
            azure.Missing);
        Assert.Null(azure.Lines.Single(l => l.Meter == "Data transfer out to the internet (over 10,240 GB)").Cost);
        Assert.Equal(4660m, azure.Lines.Single(l => l.Meter == "Data transfer out to the internet (over 10,240 GB)").Quantity);
        Assert.Equal(20.80m + 11.00m + 4.40m + 890.88m + 7.68m, azure.Total);
        Assert.False(azure.Complete);
        Assert.Equal("aws", report.Cheapest);
    }

    [Fact]
    public void Within_the_free_grants_no_price_is_needed()
    {
        var usage = CostFiles.Usage.Replace("requests_per_month: 5000000", "requests_per_month: 1000000", StringComparison.Ordinal).Replace("egress_gb: 15000", "egress_gb: 50", StringComparison.Ordinal);

        var azure = Estimate(usage: usage).Providers.Single(p => p.Provider == "azure");

        Assert.True(azure.Complete, string.Join("\n", azure.Missing));
        Assert.Equal(0m, Cost(azure, "egress"));
        Assert.Equal(0m, Cost(azure, "compute"));
    }

    [Fact]
    public void Each_operation_is_priced_per_million_calls_with_its_call_sites()
    {
        var sites = Estimate().CallSites.ToDictionary(s => s.Operation);

        Assert.Equal(["Program.cs:12", "Program.cs:20"], sites["download_bytes"].CallSites);
        Assert.Equal(new Dictionary<string, decimal?> { ["aws"] = 5.00m, ["azure"] = 5.50m, ["gcp"] = 5.00m }, sites["upload_bytes"].PerMillionCalls);
        Assert.Equal(new Dictionary<string, decimal?> { ["aws"] = 0.40m, ["azure"] = 0.44m, ["gcp"] = 0.40m }, sites["download_bytes"].PerMillionCalls);
        Assert.Equal(new Dictionary<string, decimal?> { ["aws"] = 0m, ["azure"] = 0m, ["gcp"] = 0m }, sites["delete"].PerMillionCalls);
        Assert.Equal(new Dictionary<string, decimal?> { ["aws"] = 5.00m, ["azure"] = null, ["gcp"] = 5.00m }, sites["list"].PerMillionCalls);
    }

    [Fact]
    public void What_a_new_bucket_costs_is_the_diff_of_the_two_manifests()
    {
        var manifestAfter = _files.Write("after.json", CostFiles.Shop.Replace("\"resources\": [", """
            "resources": [
                {
                  "kind": "bucket", "name": "invoices", "environmentVariable": "INFRAR_BUCKET_INVOICES", "declaredAt": "Billing.cs:5",
                  "options": { "versioning": false, "expireAfterDays": 0, "corsOrigins": [], "public": false },
                  "operations": [ { "id": "upload_bytes", "access": "write", "callSites": ["Billing.cs:9"], "permissions": [] } ]
                },
            """, StringComparison.Ordinal));
        var usage = _files.Write("usage.yaml", CostFiles.Usage);
        var beforeManifest = ManifestDocument.Load(_files.Write("before.json", CostFiles.Shop));
        var before = CostEngine.Estimate(beforeManifest, UsageProfile.Load(usage, beforeManifest), PriceBook.Default);
        var afterManifest = ManifestDocument.Load(manifestAfter);
        var after = CostEngine.Estimate(afterManifest, UsageProfile.Load(usage, afterManifest), PriceBook.Default);

        var aws = CostEngine.Compare(before, after).Providers.Single(p => p.Provider == "aws");

        // invoices, assumed: 10 GB x $0.023 = 0.23; 100,000 writes = 0.50; 1M reads = 0.40;
        // 10 GB more egress in the $0.085 tier = 0.85
        Assert.Equal(0.23m + 0.50m + 0.40m + 0.85m, aws.Change);
        Assert.Contains(aws.Lines, l => l is { Resource: "invoices", Category: "writes", Before: null, After: 0.50m });
        Assert.Contains(aws.Lines, l => l is { Resource: "buckets", Category: "egress" } && l.After - l.Before == 0.85m);
        Assert.Contains("invoices: stored_gb not given; assumed 10 GB stored", after.Assumptions);
    }

    [Fact]
    public void A_queue_is_priced_by_its_messages_sent_and_received_on_each_provider_and_never_as_a_bucket()
    {
        var manifest = ManifestDocument.Load(_files.Write("queues.json", CostFiles.Shop.Replace("\"resources\": [", """
            "resources": [
                {
                  "kind": "queue", "name": "thumbnail-jobs", "environmentVariable": "INFRAR_QUEUE_THUMBNAIL_JOBS", "declaredAt": "Program.cs:4",
                  "queueOptions": { "visibilityTimeoutSeconds": 60, "maxDeliveries": 3, "retentionSeconds": 345600 },
                  "operations": [
                    { "id": "send_json_typed", "access": "send", "callSites": ["Program.cs:22"], "permissions": [] },
                    { "id": "receive", "access": "receive", "callSites": ["Program.cs:28"], "permissions": [] }
                  ]
                },
            """, StringComparison.Ordinal)));
        var usage = _files.Write("usage.yaml", CostFiles.Usage + "\nqueues:\n  thumbnail-jobs:\n    messages_per_month: 3000000\n");

        var report = CostEngine.Estimate(manifest, UsageProfile.Load(usage, manifest), PriceBook.Default);

        // 3M messages: aws 3 x $0.40 sends, 3 x $0.80 receive and delete; azure 300 x $0.004 and 300 x $0.008 per 10,000;
        // gcp 3 x $0.0373 each way (Pub/Sub throughput at its 1 KB minimum)
        var queue = report.Providers.ToDictionary(p => p.Provider, p => p.Lines.Where(l => l.Resource == "thumbnail-jobs").Select(l => (l.Category, l.Cost)).ToList());
        Assert.Equal([("sends", 1.20m), ("receives", 2.40m)], queue["aws"]);
        Assert.Equal([("sends", 1.20m), ("receives", 2.40m)], queue["azure"]);
        Assert.Equal([("sends", 0.1119m), ("receives", 0.1119m)], queue["gcp"]);
        Assert.Equal(23.00m, Cost(report.Providers.Single(p => p.Provider == "aws"), "storage"));
        Assert.DoesNotContain(report.Providers.SelectMany(p => p.Lines), l => l.Resource == "thumbnail-jobs" && l.Category is "writes" or "reads" or "storage");
        Assert.Equal(new Dictionary<string, decimal?> { ["aws"] = 0.40m, ["azure"] = 0.40m, ["gcp"] = 0.0373m }, report.CallSites.Single(s => s.Operation == "send_json_typed").PerMillionCalls);

        var unknown = _files.Write("unknown.yaml", CostFiles.Usage + "\nqueues:\n  orders:\n    messages_per_month: 5\n");
        var refused = Assert.Throws<InputException>(() => UsageProfile.Load(unknown, manifest));
        Assert.Contains("queues.orders is not a queue of Shop (its queues: thumbnail-jobs)", refused.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _files.Dispose();

    private CostReport Estimate(string? usage = null)
    {
        var manifest = ManifestDocument.Load(_files.Write("infrar.manifest.json", CostFiles.Shop));
        return CostEngine.Estimate(manifest, UsageProfile.Load(_files.Write("usage.yaml", usage ?? CostFiles.Usage), manifest), PriceBook.Default);
    }

    private static decimal Cost(ProviderEstimate estimate, string category) =>
        estimate.Lines.Where(l => l.Category == category).Sum(l => l.Cost ?? 0);
}
