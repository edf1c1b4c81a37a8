using Infrar.Benchmarks.RuntimeOverhead.Abstraction;
using Infrar.Benchmarks.RuntimeOverhead.InMemory;
using Infrar.Benchmarks.RuntimeOverhead.Native;

namespace Infrar.Benchmarks.RuntimeOverhead;

/// <summary>The three ways of calling each provider that the run-time benchmarks compare.</summary>
public static class Ways
{
    public static StorageWay Native(string provider)
    {
        switch (provider)
        {
            case "aws":
                var s3 = new AwsNative(Clients.S3(), InMemoryCloud.Bucket);
                return new StorageWay("native", s3.PutAsync, s3.GetAsync, s3.ListAsync);
            case "azure":
                var blob = new AzureNative(Clients.Blob(), InMemoryCloud.Bucket);
                return new StorageWay("native", blob.PutAsync, blob.GetAsync, blob.ListAsync);
            case "gcp":
                var gcs = new GcpNative(Clients.CloudStorage(), InMemoryCloud.Bucket);
                return new StorageWay("native", gcs.PutAsync, gcs.GetAsync, gcs.ListAsync);
            default:
                throw new ArgumentException($"Unknown provider '{provider}'.", nameof(provider));
        }
    }

    /// <summary>The same Infrar source, compiled three times with the generator, once per provider.</summary>
    public static StorageWay Infrar(string provider)
    {
        Clients.Configure();
        return provider switch
        {
            "aws" => new StorageWay("infrar", AwsInfrarCalls.PutAsync, AwsInfrarCalls.GetAsync, AwsInfrarCalls.ListAsync),
            "azure" => new StorageWay("infrar", AzureInfrarCalls.PutAsync, AzureInfrarCalls.GetAsync, AzureInfrarCalls.ListAsync),
            "gcp" => new StorageWay("infrar", GcpInfrarCalls.PutAsync, GcpInfrarCalls.GetAsync, GcpInfrarCalls.ListAsync),
            _ => throw new ArgumentException($"Unknown provider '{provider}'.", nameof(provider)),
        };
    }

    public static StorageWay Abstraction(string provider)
    {
        var store = ObjectStoreFactory.Create(provider);
        return new StorageWay(
            "abstraction",
            (key, content) => store.WriteBytesAsync($"{InMemoryCloud.Bucket}/{key}", content),
            key => store.ReadBytesAsync($"{InMemoryCloud.Bucket}/{key}"),
            async prefix => (await store.ListAsync($"{InMemoryCloud.Bucket}/{prefix}")).Count);
    }

    /// <summary>
    /// Runs each operation once and checks what came back, so that a benchmark never times a call that fails or
    /// does less than the others.
    /// </summary>
    public static async Task VerifyAsync(string provider, StorageWay way)
    {
        var before = InMemoryCloud.Instance.Requests;
        await way.Put("verify.bin", InMemoryCloud.Payload);
        var bytes = await way.Get("verify.bin");
        if (!bytes.AsSpan().SequenceEqual(InMemoryCloud.Payload))
        {
            throw new InvalidOperationException($"{provider} {way.Name}: the download returned {bytes.Length} bytes, not the 1 KiB payload.");
        }

        var listed = await way.List(InMemoryCloud.ListPrefix);
        if (listed != InMemoryCloud.ListedObjects)
        {
            throw new InvalidOperationException($"{provider} {way.Name}: the listing returned {listed} objects, not {InMemoryCloud.ListedObjects}.");
        }

        if (InMemoryCloud.Instance.Requests - before < 3)
        {
            throw new InvalidOperationException($"{provider} {way.Name}: its requests did not all reach the in-memory cloud.");
        }
    }
}
