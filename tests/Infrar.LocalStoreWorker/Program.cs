using System.Text;
using Infrar;

// Writes objects to the local provider (INFRAR_LOCAL_ROOT) so that each write can be checked afterwards: its content
// names the writer and the write, and so do its content type and metadata. A write whose content and metadata
// disagree came from two different writes.
//   Infrar.LocalStoreWorker write <writer> <bucket> <keys> <rounds>   each round writes every key once; rounds 0: forever
//   Infrar.LocalStoreWorker check <bucket>                            every object's content, type and metadata agree
//   Infrar.LocalStoreWorker send <queue> <count>                      sends messages m0 .. m<count-1>
//   Infrar.LocalStoreWorker consume <queue> <file> <lease-seconds> <complete: yes|no>
//                                                                     receives forever; appends "<id> <body> <delivery>" per message
if (args[0] is "send" or "consume")
{
    var queue = Queues.Queue(args[1], new QueueOptions { VisibilityTimeout = TimeSpan.FromSeconds(args[0] == "consume" ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 30) });
    if (args[0] == "send")
    {
        var count = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
        for (var i = 0; i < count; i++)
        {
            await queue.SendAsync($"m{i}");
        }

        Console.WriteLine("done");
        return 0;
    }

    await using var log = new StreamWriter(args[2], append: true) { AutoFlush = true };
    Console.WriteLine("ready");
    await foreach (var message in queue.ReceiveAsync(new ReceiveOptions { WaitTime = TimeSpan.FromSeconds(1) }))
    {
        await log.WriteLineAsync($"{message.Id} {message.BodyAsString()} {message.DeliveryCount}");
        if (args[4] == "yes")
        {
            await message.CompleteAsync();
        }
    }

    return 0;
}

if (args[0] == "check")
{
    var checkedBucket = Storage.Bucket(args[1]);
    var objects = 0;
    var problems = new List<string>();
    await foreach (var entry in checkedBucket.ListAsync())
    {
        objects++;
        var content = Encoding.UTF8.GetString(await checkedBucket.DownloadBytesAsync(entry.Key));
        var info = await checkedBucket.GetInfoAsync(entry.Key);
        var stamp = content.Split(';')[0];
        if (content != string.Concat(Enumerable.Repeat(stamp + ";", content.Length / (stamp.Length + 1))))
        {
            problems.Add($"{entry.Key}: torn content");
        }
        else if (info.ContentType != $"text/x-{stamp}" || info.Metadata.GetValueOrDefault("stamp") != stamp)
        {
            problems.Add($"{entry.Key}: content of {stamp}, but content type {info.ContentType} and stamp {info.Metadata.GetValueOrDefault("stamp")}");
        }
    }

    Console.WriteLine($"{objects} objects, {problems.Count} problems");
    problems.ForEach(Console.WriteLine);
    return problems.Count == 0 && objects > 0 ? 0 : 1;
}

var writer = args[1];
var bucket = Storage.Bucket(args[2]);
var keys = int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
var rounds = int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture);
Console.WriteLine("ready");
for (var round = 1; rounds == 0 || round <= rounds; round++)
{
    for (var k = 0; k < keys; k++)
    {
        var stamp = $"{writer}.{round}.{k}";
        // Sizes vary, so that a sidecar of one write cannot describe another's content by chance.
        var content = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(stamp + ";", 1 + ((round * 7 + k) % 40))));
        await bucket.UploadAsync($"key-{k}.txt", content, new UploadOptions
        {
            ContentType = $"text/x-{stamp}",
            Metadata = new Dictionary<string, string> { ["stamp"] = stamp },
        });
    }
}

Console.WriteLine("done");
return 0;
