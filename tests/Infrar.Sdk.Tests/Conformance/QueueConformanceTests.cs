using System.Globalization;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using Azure.Storage.Queues;
using Infrar.Conformance;
using Infrar.Testing;
using Xunit;

namespace Infrar.Sdk.Tests.Conformance;

/// <summary>Every scenario of <see cref="QueueScenarios"/> on every provider whose queue code ships.</summary>
[Collection(QueueConformanceCollection.Name)]
public sealed class QueueConformanceTests(QueueConformanceFixture fixture)
{
    [Theory]
    [MemberData(nameof(QueueConformanceFixture.Cases), MemberType = typeof(QueueConformanceFixture))]
    public Task Scenario(string provider, string scenario) => fixture.RunAsync(provider, scenario);
}

/// <summary>
/// Compiles <see cref="QueueScenarios"/> once per cloud with the generator, provisions every queue its manifest declares
/// (with its dead-letter queue and delivery limit) on that provider's counterpart, and runs each scenario with the
/// provider's documented variables pointing there. aws: the SQS contract server (no SQS emulator runs here); azure:
/// Azurite's queue service; gcp: the Pub/Sub contract server (no Pub/Sub emulator or library can be had here).
/// </summary>
public sealed class QueueConformanceFixture : IAsyncLifetime
{
    public static readonly string[] Providers = ["local", "aws", "azure", "gcp"];

    private NodeEmulator? _azurite;

    private readonly Dictionary<string, Type> _scenarios = new() { ["local"] = typeof(QueueScenarios) };
    private readonly Dictionary<string, Dictionary<string, string>> _variables = new() { ["local"] = [] };
    private readonly SemaphoreSlim _one = new(1, 1);
    private SqsContractServer? _sqs;
    private PubSubContractServer? _pubSub;

    public static TheoryData<string, string> Cases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var provider in Providers)
        {
            foreach (var scenario in typeof(QueueScenarios).GetMethods(BindingFlags.Public | BindingFlags.Static).OrderBy(m => m.MetadataToken))
            {
                cases.Add(provider, scenario.Name);
            }
        }

        return cases;
    }

    public async Task InitializeAsync()
    {
        _variables["local"]["INFRAR_CONFORMANCE_MAX_BODY"] = (256 * 1024).ToString(CultureInfo.InvariantCulture);
        await Task.WhenAll(StartAwsAsync(), StartAzureAsync(), StartGcpAsync());
    }

    public async Task RunAsync(string provider, string scenario)
    {
        var method = _scenarios[provider].GetMethod(scenario, BindingFlags.Public | BindingFlags.Static)
            ?? throw new InvalidOperationException($"{provider} has no scenario {scenario}");

        // The queues' variables differ by provider (on aws they hold queue URLs), and Azure's connection string names
        // Azurite's queue endpoint here, its blob endpoint in the storage suite: one scenario at a time sets its own,
        // and puts back what was there.
        await _one.WaitAsync();
        var names = _variables.Values.SelectMany(v => v.Keys).Distinct().ToList();
        var before = names.ToDictionary(name => name, Environment.GetEnvironmentVariable);
        try
        {
            foreach (var name in names)
            {
                Environment.SetEnvironmentVariable(name, _variables[provider].GetValueOrDefault(name));
            }

            await (Task)method.Invoke(null, null)!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
        }
        finally
        {
            foreach (var name in names)
            {
                Environment.SetEnvironmentVariable(name, before[name]);
            }

            _one.Release();
        }

        if (provider == "aws")
        {
            Assert.Empty(_sqs!.Violations);
        }

        if (provider == "gcp")
        {
            Assert.Empty(_pubSub!.Violations);
        }
    }

    public async Task DisposeAsync()
    {
        _azurite?.Dispose();
        if (_pubSub is not null)
        {
            await _pubSub.DisposeAsync();
        }

        if (_sqs is not null)
        {
            await _sqs.DisposeAsync();
        }
    }

    private async Task StartAwsAsync()
    {
        _sqs = new SqsContractServer(FreePort.Next());
        var scenarios = Compile("aws");
        _scenarios["aws"] = scenarios;

        // The same credentials the storage suite gives the AWS SDK (s3rver checks them; SQS's server only needs a signature).
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "S3RVER");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "S3RVER");
        Environment.SetEnvironmentVariable("AWS_REGION", "us-east-1");
        Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_SQS", _sqs.ServiceUrl);

        using var sqs = new AmazonSQSClient(new BasicAWSCredentials("S3RVER", "S3RVER"), new AmazonSQSConfig { ServiceURL = _sqs.ServiceUrl, AuthenticationRegion = SqsContractServer.Region });
        var variables = new Dictionary<string, string> { ["INFRAR_CONFORMANCE_MAX_BODY"] = (256 * 1024).ToString(CultureInfo.InvariantCulture) };
        foreach (var queue in DeclaredQueues(scenarios.Assembly))
        {
            // As the generated infrastructure does: the dead-letter queue first, then the queue redriving to it.
            var deadLetters = queue.Name + "-dead-letters";
            await sqs.CreateQueueAsync(new CreateQueueRequest { QueueName = deadLetters });
            var url = (await sqs.CreateQueueAsync(new CreateQueueRequest
            {
                QueueName = queue.Name,
                Attributes = new Dictionary<string, string>
                {
                    ["VisibilityTimeout"] = queue.VisibilityTimeoutSeconds.ToString(CultureInfo.InvariantCulture),
                    ["MessageRetentionPeriod"] = queue.RetentionSeconds.ToString(CultureInfo.InvariantCulture),
                    ["RedrivePolicy"] = JsonSerializer.Serialize(new Dictionary<string, object>
                    {
                        ["deadLetterTargetArn"] = $"arn:aws:sqs:{SqsContractServer.Region}:{SqsContractServer.Account}:{deadLetters}",
                        ["maxReceiveCount"] = queue.MaxDeliveries,
                    }),
                },
            })).QueueUrl;
            variables[QueueVariable(queue.Name)] = url;
        }

        _variables["aws"] = variables;
    }

    private async Task StartAzureAsync()
    {
        var port = FreePort.Next();
        _azurite = await NodeEmulator.StartAsync(
            "Azurite queues", "node_modules/azurite/dist/src/queue/main.js", port,
            "--queueHost", "127.0.0.1", "--queuePort", port.ToString(CultureInfo.InvariantCulture), "--inMemoryPersistence", "--silent", "--skipApiVersionCheck");
        var connectionString = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={EmulatorClients.AzuriteAccountKey};QueueEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";
        var scenarios = Compile("azure");
        _scenarios["azure"] = scenarios;

        // A message is at most 64 KiB as sent; an ASCII body of this length fills it with the envelope {"text":"…"}.
        var variables = new Dictionary<string, string>
        {
            ["AZURE_STORAGE_CONNECTION_STRING"] = connectionString,
            ["INFRAR_CONFORMANCE_MAX_BODY"] = (64 * 1024 - "{\"text\":\"\"}".Length).ToString(CultureInfo.InvariantCulture),
        };
        var service = new QueueServiceClient(connectionString);
        foreach (var queue in DeclaredQueues(scenarios.Assembly))
        {
            // As the generated infrastructure does: the queue and its dead-letter queue, named as declared.
            await service.CreateQueueAsync(queue.Name);
            await service.CreateQueueAsync(queue.Name + "-dead-letters");
            variables[QueueVariable(queue.Name)] = queue.Name;
        }

        _variables["azure"] = variables;
    }

    private async Task StartGcpAsync()
    {
        _pubSub = new PubSubContractServer(FreePort.Next());
        var scenarios = Compile("gcp");
        _scenarios["gcp"] = scenarios;
        var variables = new Dictionary<string, string>
        {
            ["PUBSUB_EMULATOR_HOST"] = _pubSub.Host,
            ["GOOGLE_CLOUD_PROJECT"] = PubSubContractServer.Project,
            ["INFRAR_CONFORMANCE_MAX_BODY"] = (256 * 1024).ToString(CultureInfo.InvariantCulture),
        };

        // As the generated infrastructure does: a topic and subscription per queue and per dead-letter queue, the
        // subscription counting deliveries with a dead-letter policy Pub/Sub accepts (5 attempts or more).
        using var http = new HttpClient { BaseAddress = new Uri($"http://{_pubSub.Host}/v1/projects/{PubSubContractServer.Project}/") };
        foreach (var queue in DeclaredQueues(scenarios.Assembly))
        {
            var deadLetters = queue.Name + "-dead-letters";
            foreach (var topic in new[] { deadLetters, queue.Name })
            {
                (await http.PutAsync($"topics/{topic}", JsonContent.Create(new { }))).EnsureSuccessStatusCode();
            }

            (await http.PutAsync($"subscriptions/{deadLetters}", JsonContent.Create(new { topic = $"projects/{PubSubContractServer.Project}/topics/{deadLetters}", ackDeadlineSeconds = 10 }))).EnsureSuccessStatusCode();
            (await http.PutAsync($"subscriptions/{queue.Name}", JsonContent.Create(new
            {
                topic = $"projects/{PubSubContractServer.Project}/topics/{queue.Name}",
                ackDeadlineSeconds = Math.Clamp(queue.VisibilityTimeoutSeconds, 10, 600),
                deadLetterPolicy = new { deadLetterTopic = $"projects/{PubSubContractServer.Project}/topics/{deadLetters}", maxDeliveryAttempts = Math.Clamp(queue.MaxDeliveries, 5, 100) },
            }))).EnsureSuccessStatusCode();
            variables[QueueVariable(queue.Name)] = queue.Name;
        }

        Assert.Empty(_pubSub.Violations);
        _variables["gcp"] = variables;
    }

    private static string QueueVariable(string name) =>
        "INFRAR_QUEUE_" + string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_'));

    /// <summary>The queues the compiled scenarios' manifest declares, as the build's infrastructure reads them.</summary>
    private static List<DeclaredQueue> DeclaredQueues(Assembly assembly)
    {
        var json = assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Infrar.Manifest").Value!;
        var queues = JsonDocument.Parse(json).RootElement.GetProperty("queues").EnumerateArray()
            .Select(q => new DeclaredQueue(
                q.GetProperty("name").GetString()!,
                q.GetProperty("visibilityTimeoutSeconds").GetInt32(),
                q.GetProperty("maxDeliveries").GetInt32(),
                q.GetProperty("retentionSeconds").GetInt32()))
            .ToList();
        Assert.NotEmpty(queues);
        return queues;
    }

    private static Type Compile(string provider)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Conformance", "QueueScenarios.cs");
        var result = GeneratorHarness.Run(provider, [(path, File.ReadAllText(path))], assemblyName: $"Infrar.QueueConformance.{provider}");
        // The scenarios' receive helper takes its queue as a parameter, which the generator rightly cannot trace (INFRAR0010).
        var problems = result.Problems.Where(p => p.Id != "INFRAR0010").ToList();
        if (!result.GeneratedSources.Keys.Any(name => name.StartsWith("Infrar.Queues.", StringComparison.Ordinal)) || problems.Count > 0)
        {
            throw new InvalidOperationException($"The generator did not rewrite the queue calls for {provider}: {string.Join("\n", problems)}");
        }

        return GeneratorHarness.EmitAndLoad(result.Compilation).GetType(typeof(QueueScenarios).FullName!, throwOnError: true)!;
    }

    private sealed record DeclaredQueue(string Name, int VisibilityTimeoutSeconds, int MaxDeliveries, int RetentionSeconds);
}

/// <summary>Run alone: its scenarios set process-wide variables the storage suite also reads, and time leases in seconds.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class QueueConformanceCollection : ICollectionFixture<QueueConformanceFixture>
{
    public const string Name = "queue-conformance";
}
