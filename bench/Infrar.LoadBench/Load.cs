using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Infrar.Testing;

namespace Infrar.LoadBench;

/// <summary>What a read mix measured: requests answered per second, latency percentiles, and what was refused.</summary>
internal sealed record ReadFigures(int Answered, int Refused, int Failed, TimeSpan Duration, TimeSpan P50, TimeSpan P99)
{
    public double PerSecond => Answered / Duration.TotalSeconds;
}

/// <summary>What a write burst measured: how long until every submission was answered and deployed, and how many 503s it took.</summary>
internal sealed record BurstFigures(int Submissions, int Refusals, TimeSpan Answered, TimeSpan Deployed, int AppliedOnce, int AppliedTwice, int Missing);

/// <summary>The load itself: readers, a burst of submissions, and waiting for deployments to end.</summary>
internal static class Load
{
    /// <summary>
    /// <paramref name="readers"/> clients, each asking again as soon as answered, for <paramref name="duration"/>:
    /// half for one deployment, a third for an environment's deployments, the rest for the projects.
    /// </summary>
    public static async Task<ReadFigures> ReadAsync(Cluster cluster, string token, IReadOnlyList<long> environments, IReadOnlyList<long> deployments, int readers, TimeSpan duration)
    {
        using var stop = new CancellationTokenSource(duration);
        return await ReadAsync(cluster, token, environments, deployments, readers, stop.Token);
    }

    /// <summary>The read mix until <paramref name="stop"/> is cancelled.</summary>
    public static async Task<ReadFigures> ReadAsync(Cluster cluster, string token, IReadOnlyList<long> environments, IReadOnlyList<long> deployments, int readers, CancellationToken stop)
    {
        var latencies = new ConcurrentBag<double>();
        int refused = 0, failed = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, readers).Select(r => Task.Run(async () =>
        {
            using var client = cluster.Client(r, token);
            var random = new Random(r);
            while (!stop.IsCancellationRequested)
            {
                var pick = random.Next(6);
                var path = pick < 3 && deployments.Count > 0 ? $"/api/deployments/{deployments[random.Next(deployments.Count)]}"
                    : pick < 5 ? $"/api/environments/{environments[random.Next(environments.Count)]}/deployments"
                    : "/api/projects";
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await client.GetAsync(path, HttpCompletionOption.ResponseContentRead, CancellationToken.None);
                    if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                    {
                        Interlocked.Increment(ref refused);
                    }
                    else if (response.IsSuccessStatusCode)
                    {
                        latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    }
                    else
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        })));
        var sorted = latencies.Order().ToArray();
        return new ReadFigures(sorted.Length, refused, failed, clock.Elapsed, Percentile(sorted, 0.50), Percentile(sorted, 0.99));
    }

    /// <summary>
    /// <paramref name="submissions"/> deployments submitted at once over the environments (each with its key, retried
    /// with it after a 503), while <paramref name="readers"/> clients read; then waits until every one has ended and
    /// counts how many times each was applied.
    /// </summary>
    public static async Task<(BurstFigures Figures, List<long> Deployments)> BurstAsync(Cluster cluster, string token, IReadOnlyList<long> environments, int submissions, int readers, string prefix)
    {
        var refusals = 0;
        var clock = Stopwatch.StartNew();
        using var stopReading = new CancellationTokenSource();
        var reading = ReadAsync(cluster, token, environments, [], readers, stopReading.Token);
        var ids = await Task.WhenAll(Enumerable.Range(0, submissions).Select(i => Task.Run(async () =>
        {
            using var client = cluster.Client(i, token);
            var key = $"{prefix}-{i}";
            while (true)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/environments/{environments[i % environments.Count]}/deployments")
                {
                    Content = JsonContent.Create(new { infra = StandInTofu.Infra(key) }),
                };
                request.Headers.Add("Idempotency-Key", key);
                using var response = await client.SendAsync(request);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
                }

                if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
                {
                    throw new InvalidOperationException($"Submission {key} was answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }

                Interlocked.Increment(ref refusals);
                await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
            }
        })));
        var answered = clock.Elapsed;
        await stopReading.CancelAsync();
        await reading;
        await WaitUntilEndedAsync(cluster, token, ids);
        var deployed = clock.Elapsed;

        var applied = StandInTofu.Applies(cluster.Buckets).Where(a => a.Marker.StartsWith(prefix + "-", StringComparison.Ordinal)).GroupBy(a => a.Marker).ToDictionary(g => g.Key, g => g.Count());
        var figures = new BurstFigures(
            submissions, refusals, answered, deployed,
            AppliedOnce: applied.Count(a => a.Value == 1),
            AppliedTwice: applied.Count(a => a.Value > 1),
            Missing: submissions - applied.Count);
        return (figures, [.. ids]);
    }

    /// <summary>Waits until every deployment has ended; fails naming one that ended otherwise than succeeded.</summary>
    public static async Task WaitUntilEndedAsync(Cluster cluster, string token, IReadOnlyList<long> deployments)
    {
        using var client = cluster.Client(0, token);
        var pending = new HashSet<long>(deployments);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(10);
        while (pending.Count > 0)
        {
            foreach (var id in pending.ToList())
            {
                var status = (await client.GetFromJsonAsync<JsonElement>($"/api/deployments/{id}")).GetProperty("status").GetString();
                if (status == "succeeded")
                {
                    pending.Remove(id);
                }
                else if (status is "failed" or "cancelled")
                {
                    throw new InvalidOperationException($"Deployment {id} ended {status}: {await client.GetStringAsync($"/api/deployments/{id}/log")}");
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{pending.Count} deployments had not ended after 10 minutes.");
            }

            await Task.Delay(100);
        }
    }

    private static TimeSpan Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)]);
}
