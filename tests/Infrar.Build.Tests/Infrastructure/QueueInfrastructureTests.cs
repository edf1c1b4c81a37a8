using System.Text;
using Infrar.Build.Infrastructure;
using Infrar.Generators.Catalog;
using Infrar.Testing;
using Xunit;

namespace Infrar.Build.Tests.Infrastructure;

/// <summary>
/// The OpenTofu written for queues on each provider whose queue code ships: the queue and its dead-letter queue with the
/// declared options, the app's variable set to what the generated code reads, and per call site exactly the queue
/// actions it needs: sending is not receiving.
/// </summary>
public sealed class QueueInfrastructureTests
{
    private const string SendOnly = """
        using System.Threading.Tasks;
        using Infrar;
        namespace App;
        public static class Uploads
        {
            private static readonly Queue Jobs = Queues.Queue("thumbnail-jobs");

            public static Task<string> QueueAsync(string key) => Jobs.SendAsync(key);
        }
        """;

    private static readonly Lazy<Build.Manifest.ProjectModel> EveryQueueOperation = new(() => Emitted.Model(("Thumbnails.cs", Sources.EveryQueueOperation)).Model);

    public static TheoryData<string, string[]> ReceiveActions => new()
    {
        { "aws", ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"] },
        { "azure", ["/messages/process/action", "/messages/delete", "/messages/write"] },
        { "gcp", ["pubsub.subscriptions.consume"] },
    };

    public static TheoryData<string> QueueClouds =>
        [.. EmbeddedCatalog.Value.Clouds.Where(p => p.Queues is { Operations.Count: > 0 }).Select(p => p.Id)];

    [Theory]
    [MemberData(nameof(QueueClouds))]
    public void Each_providers_queue_folder_matches_its_snapshot_and_fits_the_provider_schema(string provider)
    {
        var files = Emitted.Folder(provider, EveryQueueOperation.Value);
        var text = new StringBuilder();
        foreach (var (name, content) in files)
        {
            text.Append("### ").Append(name).Append('\n').Append(content).Append('\n');
        }

        Snapshot.Match(text.ToString(), $"{provider}.queues.tf.txt");
        var problems = files.SelectMany(file => HclSchemaChecker.Check(provider, file.Key, file.Value)).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Theory]
    [MemberData(nameof(QueueClouds))]
    public Task Each_providers_queue_folder_is_left_alone_by_fmt(string provider) => Emitted.AssertFormattedAsync(provider, EveryQueueOperation.Value);

    [Theory]
    [MemberData(nameof(ReceiveActions))]
    public void Send_only_code_is_granted_sending_and_no_receive_complete_or_lease_permission(string provider, string[] receiveActions)
    {
        var (model, _) = Emitted.Model(("Uploads.cs", SendOnly));

        var grants = Emitted.Grants(provider, model);

        var grant = Assert.Single(grants);
        Assert.Equal(GrantScope.Queue, grant.Scope);
        Assert.Equal("thumbnail-jobs", grant.BucketName);
        Assert.Equal(["Uploads.cs:8"], grant.CallSites);
        var iam = Emitted.Folder(provider, model).Single(f => f.Key == "iam.tf").Value;
        Assert.Contains(grant.Action.StartsWith("topic:", StringComparison.Ordinal) ? grant.Action["topic:".Length..] : grant.Action, iam, StringComparison.Ordinal);
        Assert.All(receiveActions, action => Assert.DoesNotContain(action, iam, StringComparison.Ordinal));
    }

    [Fact]
    public void A_receive_on_the_dead_letter_queue_is_granted_on_the_dead_letter_queue_alone()
    {
        var grants = Emitted.Grants("aws", EveryQueueOperation.Value);

        Assert.Equal(
            [
                "audit (queue): sqs:SendMessage",
                "thumbnail-jobs (queue): sqs:ChangeMessageVisibility",
                "thumbnail-jobs (queue): sqs:DeleteMessage",
                "thumbnail-jobs (queue): sqs:ReceiveMessage",
                "thumbnail-jobs (queue): sqs:SendMessage",
                "thumbnail-jobs (dead-letter queue): sqs:ChangeMessageVisibility",
                "thumbnail-jobs (dead-letter queue): sqs:DeleteMessage",
                "thumbnail-jobs (dead-letter queue): sqs:ReceiveMessage",
            ],
            grants.Select(g => g.Key));
        Assert.Equal(["Thumbnails.cs:42"], grants.Single(g => g.Key == "thumbnail-jobs (dead-letter queue): sqs:ReceiveMessage").CallSites);
    }

    [Fact]
    public void The_queue_gets_its_declared_options_and_the_app_the_queue_url_in_the_variable_the_generated_code_reads()
    {
        var files = Emitted.Folder("aws", EveryQueueOperation.Value).ToDictionary(f => f.Key, f => f.Value);

        Assert.Contains("visibility_timeout_seconds = 120", files["queues.tf"], StringComparison.Ordinal);
        Assert.Contains("message_retention_seconds  = 172800", files["queues.tf"], StringComparison.Ordinal);
        Assert.Contains("maxReceiveCount     = 3", files["queues.tf"], StringComparison.Ordinal);
        Assert.Contains("name                      = \"thumbnail-jobs-${var.name_suffix}-dead-letters\"", files["queues.tf"], StringComparison.Ordinal);
        Assert.Contains("{ name = \"INFRAR_QUEUE_THUMBNAIL_JOBS\", value = aws_sqs_queue.thumbnail_jobs.url },", files["service.tf"], StringComparison.Ordinal);
    }
}
