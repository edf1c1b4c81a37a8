using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Infrar.Conformance;

/// <summary>
/// What every provider's queues must do, written once, like <see cref="StorageScenarios"/>: the local provider runs these
/// bodies as they are; for each cloud the suite compiles this file again with Infrar's generator and runs it against
/// that provider's counterpart. Each scenario has a queue of its own, provisioned from this file's manifest.
/// </summary>
/// <remarks>
/// Ordering is not promised, so nothing here depends on it. INFRAR_CONFORMANCE_MAX_BODY holds the largest body the
/// provider under test carries.
/// </remarks>
public static class QueueScenarios
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    public static async Task EverySentMessageIsReceivedWithItsBodyAndAttributes()
    {
        var queue = Queues.Queue("conformance-every");
        var sent = new Dictionary<string, string>();
        for (var i = 0; i < 5; i++)
        {
            var id = await queue.SendAsync($"single {i} ✓", new SendOptions { Attributes = new Dictionary<string, string> { ["index"] = $"{i}" } });
            sent[id] = $"single {i} ✓";
        }

        var batch = Enumerable.Range(0, 10).Select(i => OutgoingMessage.FromString($"batch {i}")).ToList();
        var ids = await queue.SendBatchAsync(batch);
        Assert.Equal(10, ids.Distinct().Count());
        for (var i = 0; i < ids.Count; i++)
        {
            sent[ids[i]] = $"batch {i}";
        }

        var binary = new byte[] { 0, 255, 1, 254, 0x80, 0xC0 };
        sent[await queue.SendAsync(binary)] = Convert.ToBase64String(binary);
        sent[await queue.SendJsonAsync(new { Key = "photos/cat.jpg", Width = 128 })] = "{\"key\":\"photos/cat.jpg\",\"width\":128}";

        var received = await ReceiveAsync(queue, sent.Count);
        foreach (var message in received)
        {
            Assert.True(sent.TryGetValue(message.Id, out var body), $"message {message.Id} was never sent");
            if (body == Convert.ToBase64String(binary))
            {
                Assert.Equal(binary, message.Body.ToArray());
            }
            else
            {
                Assert.Equal(body, message.BodyAsString());
            }

            Assert.Equal(1, message.DeliveryCount);
            Assert.InRange(message.EnqueuedAt, DateTimeOffset.UtcNow.AddMinutes(-2), DateTimeOffset.UtcNow.AddMinutes(1));
            if (body.StartsWith("single ", StringComparison.Ordinal))
            {
                Assert.Equal(body.Split(' ')[1], message.Attributes["index"]);
            }
            else
            {
                Assert.Empty(message.Attributes);
            }

            await message.CompleteAsync();
        }

        Assert.Equal(sent.Keys.Order(), received.Select(m => m.Id).Order());
        Assert.Empty(await ReceiveAsync(queue, 1, TimeSpan.FromSeconds(2)));
    }

    public static async Task AMessageNotCompletedReappearsAfterItsVisibilityTimeout()
    {
        var queue = Queues.Queue("conformance-lease", new QueueOptions { VisibilityTimeout = TimeSpan.FromSeconds(2) });
        var id = await queue.SendAsync("work");

        var first = Assert.Single(await ReceiveAsync(queue, 1));
        Assert.Empty(await ReceiveAsync(queue, 1, TimeSpan.FromSeconds(1)));
        var second = Assert.Single(await ReceiveAsync(queue, 1));

        Assert.Equal(id, first.Id);
        Assert.Equal(id, second.Id);
        Assert.Equal(2, second.DeliveryCount);
        await second.CompleteAsync();
        Assert.Empty(await ReceiveAsync(queue, 1, TimeSpan.FromSeconds(3)));
    }

    public static async Task AbandonMakesAMessageVisibleAgainAndExtendingTheLeaseKeepsItHidden()
    {
        var queue = Queues.Queue("conformance-abandon", new QueueOptions { VisibilityTimeout = TimeSpan.FromSeconds(2) });
        await queue.SendAsync("abandoned");
        await queue.SendAsync("extended");

        var both = await ReceiveAsync(queue, 2);
        var abandoned = both.Single(m => m.BodyAsString() == "abandoned");
        var extended = both.Single(m => m.BodyAsString() == "extended");
        await extended.ExtendLeaseAsync(TimeSpan.FromSeconds(30));
        await abandoned.AbandonAsync();

        var again = Assert.Single(await ReceiveAsync(queue, 1));
        Assert.Equal(abandoned.Id, again.Id);
        await again.CompleteAsync();
        Assert.Empty(await ReceiveAsync(queue, 1, TimeSpan.FromSeconds(3)));
        await extended.CompleteAsync();
    }

    public static async Task ADelayedMessageIsNotDeliveredBeforeItsDelay()
    {
        var queue = Queues.Queue("conformance-delay");
        var watch = Stopwatch.StartNew();
        await queue.SendAsync("later", new SendOptions { Delay = TimeSpan.FromSeconds(3) });

        var message = Assert.Single(await ReceiveAsync(queue, 1));

        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(2.5), $"delivered after {watch.Elapsed}, before its 3 s delay");
        await message.CompleteAsync();
    }

    public static async Task TheDeliveryLimitMovesAMessageToTheDeadLetterQueue()
    {
        var queue = Queues.Queue("conformance-poison", new QueueOptions { VisibilityTimeout = TimeSpan.FromSeconds(1), MaxDeliveries = 2 });
        var id = await queue.SendAsync("poison");

        for (var delivery = 1; delivery <= 2; delivery++)
        {
            var message = Assert.Single(await ReceiveAsync(queue, 1));
            Assert.Equal(delivery, message.DeliveryCount);
        }

        Assert.Empty(await ReceiveAsync(queue, 1, TimeSpan.FromSeconds(3)));
        var dead = Assert.Single(await ReceiveAsync(queue.DeadLetters, 1));
        Assert.Equal("poison", dead.BodyAsString());
        await dead.CompleteAsync();
        Assert.NotNull(id);
    }

    public static async Task BatchAndMessageLimitsAreRefusedBeforeAnythingIsSent()
    {
        var queue = Queues.Queue("conformance-limits");
        var eleven = Enumerable.Range(0, 11).Select(i => OutgoingMessage.FromString($"m{i}")).ToList();

        await Assert.ThrowsAsync<ArgumentException>("messages", () => queue.SendBatchAsync(eleven));
        await Assert.ThrowsAsync<ArgumentException>("messages", () => queue.SendBatchAsync([]));
        await Assert.ThrowsAsync<ArgumentException>(() => queue.SendAsync(new string('x', 256 * 1024 + 1)));
        var tooMany = Enumerable.Range(0, 10).ToDictionary(i => $"a{i}", i => "v");
        await Assert.ThrowsAsync<ArgumentException>(() => queue.SendAsync("x", new SendOptions { Attributes = tooMany }));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => queue.SendAsync("x", new SendOptions { Delay = TimeSpan.FromMinutes(16) }));
        var reserved = new Dictionary<string, string> { ["infrar-deliver-after"] = "0" };
        await Assert.ThrowsAsync<ArgumentException>(() => queue.SendAsync("x", new SendOptions { Attributes = reserved }));

        Assert.Empty(await ReceiveAsync(queue, 1, TimeSpan.FromSeconds(1)));
    }

    public static async Task TheLargestBodyTheProviderCarriesGoesRoundTripAndOneByteMoreIsRefused()
    {
        var queue = Queues.Queue("conformance-large");
        var limit = int.Parse(Environment.GetEnvironmentVariable("INFRAR_CONFORMANCE_MAX_BODY")!, System.Globalization.CultureInfo.InvariantCulture);
        var body = string.Concat(Enumerable.Range(0, limit).Select(i => (char)('a' + (i % 26))));

        await queue.SendAsync(body);
        await Assert.ThrowsAsync<ArgumentException>(() => queue.SendAsync(body + "z"));

        var message = Assert.Single(await ReceiveAsync(queue, 1));
        Assert.Equal(body, message.BodyAsString());
        await message.CompleteAsync();
    }

    public static async Task ReceivingStopsPromptlyWhenCancelled()
    {
        var queue = Queues.Queue("conformance-cancel");
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var watch = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var message in queue.ReceiveAsync(new ReceiveOptions { WaitTime = TimeSpan.FromSeconds(20) }, cancel.Token))
            {
                Assert.Fail($"the queue is empty, yet {message.Id} arrived");
            }
        });

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"receiving stopped {watch.Elapsed} after it was asked to, not within 5 s");
    }

    /// <summary>Receives until <paramref name="count"/> messages arrived or <paramref name="patience"/> passed.</summary>
    private static async Task<List<QueueMessage>> ReceiveAsync(Queue queue, int count, TimeSpan? patience = null)
    {
        var received = new List<QueueMessage>();
        using var stop = new CancellationTokenSource(patience ?? Patience);
        try
        {
            await foreach (var message in queue.ReceiveAsync(new ReceiveOptions { WaitTime = TimeSpan.FromSeconds(1) }, stop.Token))
            {
                received.Add(message);
                if (received.Count == count)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }

        return received;
    }
}
