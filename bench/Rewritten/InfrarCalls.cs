namespace Infrar.Benchmarks;

/// <summary>
/// Ordinary Infrar calls. Each project that compiles this file sets its own InfrarProvider, so the generator rewrites
/// the same source into direct calls on that provider's SDK: these are the "(b) Infrar" benchmarks.
/// </summary>
#if INFRAR_AWS
public static class AwsInfrarCalls
#elif INFRAR_AZURE
public static class AzureInfrarCalls
#else
public static class GcpInfrarCalls
#endif
{
    private static readonly Bucket Objects = Storage.Bucket("objects");

    public static Task PutAsync(string key, byte[] content) => Objects.UploadAsync(key, content);

    public static Task<byte[]> GetAsync(string key) => Objects.DownloadBytesAsync(key);

    public static async Task<int> ListAsync(string prefix)
    {
        var count = 0;
        await foreach (var entry in Objects.ListAsync(prefix))
        {
            count++;
        }

        return count;
    }
}
