using System.Globalization;
using System.Text;
using Infrar.Build.Manifest;
using Infrar.Generators.Catalog;
using Infrar.Naming;

namespace Infrar.Build.Infrastructure;

/// <summary>
/// Writes a provider's OpenTofu folder from its catalog templates: every file template in order, with each other template
/// rendered once per bucket (once per queue for the templates named <c>queue…</c>) and joined into
/// <c>{{each_&lt;template&gt;}}</c>. Nothing here knows a provider.
/// </summary>
internal static class InfrastructureEmitter
{
    public static IReadOnlyList<KeyValuePair<string, string>> Emit(
        InfrastructureBinding binding,
        ProjectModel model,
        IReadOnlyList<Grant> grants,
        ServiceSettings service)
    {
        var buckets = model.Buckets.OrderBy(b => b.Name, StringComparer.Ordinal).ToList();
        var global = GlobalValues(buckets, grants, service);
        global["any_queues"] = model.Queues.Count > 0 ? "true" : "false";
        var grantsByBucket = grants.Where(g => g.BucketName is not null).ToLookup(g => g.BucketName!, StringComparer.Ordinal);
        var perBucket = buckets.Select(bucket => BucketValues(bucket, grantsByBucket[bucket.Name], global)).ToList();
        var queueGrants = grants.Where(g => g.Scope is GrantScope.Queue or GrantScope.DeadLetters).ToLookup(g => g.BucketName!, StringComparer.Ordinal);
        var perQueue = model.Queues.OrderBy(q => q.Name, StringComparer.Ordinal).Select(queue => QueueValues(queue, queueGrants[queue.Name], global)).ToList();

        var rendered = new StringBuilder();
        foreach (var (name, template) in binding.Templates)
        {
            var each = name.StartsWith("queue", StringComparison.Ordinal) ? perQueue : perBucket;
            var items = new List<string>(each.Count);
            foreach (var values in each)
            {
                rendered.Clear();
                TemplateRenderer.Render(template, values, name, rendered);
                var item = Trimmed(rendered);
                if (item.Length > 0)
                {
                    items.Add(item);
                }
            }

            // Blocks are set apart by a blank line; list elements (ending in a comma) and one-liners are not.
            var separate = items.Any(i => i.Contains('\n') && !i.TrimEnd().EndsWith(','));
            global["each_" + name] = string.Join(separate ? "\n\n" : "\n", items);
        }

        var files = new List<KeyValuePair<string, string>>();
        foreach (var (file, template) in binding.Files)
        {
            var text = HclFormatter.Format(TemplateRenderer.Render(template, global, file));
            if (text.Trim().Length > 0)
            {
                files.Add(new(file, text));
            }
        }

        return files;
    }

    private static Dictionary<string, string> GlobalValues(IReadOnlyList<BucketModel> buckets, IReadOnlyList<Grant> grants, ServiceSettings service) => new()
    {
        ["app"] = service.Name,
        ["role_app"] = service.Name.Replace('-', '_'),
        ["account_id"] = AccountId(service.Name),
        ["account_prefix"] = Naming.Alphanumeric(service.Name, 16),
        ["port"] = service.Port.ToString(CultureInfo.InvariantCulture),
        ["cpu"] = Naming.Number(service.Cpu),
        ["cpu_units"] = ((int)(service.Cpu * 1024)).ToString(CultureInfo.InvariantCulture),
        ["cpu_whole"] = Naming.Number(Math.Max(1, Math.Ceiling(service.Cpu))),
        ["memory_mib"] = service.MemoryMiB.ToString(CultureInfo.InvariantCulture),
        ["memory_gib"] = Naming.Number(service.MemoryMiB / 1024m),
        ["min_instances"] = service.MinInstances.ToString(CultureInfo.InvariantCulture),
        ["desired_count"] = Math.Max(1, service.MinInstances).ToString(CultureInfo.InvariantCulture),
        ["any_grants"] = grants.Any(g => g.Scope is GrantScope.Objects or GrantScope.Bucket) ? "true" : "false",
        ["any_queue_grants"] = grants.Any(g => g.Scope is GrantScope.Queue or GrantScope.DeadLetters) ? "true" : "false",
        ["any_public"] = buckets.Any(b => b.Public) ? "true" : "false",
        ["any_versioning"] = buckets.Any(b => b.Versioning) ? "true" : "false",
        ["all_cors_origins"] = buckets.SelectMany(b => b.CorsOrigins).Any()
            ? Naming.HclList(buckets.SelectMany(b => b.CorsOrigins).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            : "",
        ["account_actions"] = ActionLines(grants.Where(g => g.Scope == GrantScope.Account)),
        ["self_actions"] = ActionLines(grants.Where(g => g.Scope == GrantScope.Self)),
    };

    private static Dictionary<string, string> BucketValues(BucketModel bucket, IEnumerable<Grant> grants, Dictionary<string, string> global)
    {
        var values = new Dictionary<string, string>(global)
        {
            ["id"] = Naming.Identifier(bucket.Name),
            ["name"] = Naming.HclString(bucket.Name),
            ["dns_name"] = Naming.DnsLabel(bucket.Name),
            ["sid"] = Naming.Pascal(Naming.Identifier(bucket.Name)),
            ["env"] = ResourceNames.BucketEnvironmentVariable(bucket.Name),
            ["declared_at"] = Naming.HclString(bucket.DeclaredAt),
            ["versioning"] = bucket.Versioning ? "true" : "",
            ["public"] = bucket.Public ? "true" : "",
            ["expire_after_days"] = bucket.ExpireAfterDays > 0 ? bucket.ExpireAfterDays.ToString(CultureInfo.InvariantCulture) : "",
            ["cors_origins"] = bucket.CorsOrigins.Count > 0 ? Naming.HclList(bucket.CorsOrigins) : "",
            ["object_actions"] = ActionLines(grants.Where(g => g.Scope == GrantScope.Objects)),
            ["bucket_actions"] = ActionLines(grants.Where(g => g.Scope == GrantScope.Bucket)),
        };
        return values;
    }

    private static Dictionary<string, string> QueueValues(QueueModel queue, IEnumerable<Grant> grants, Dictionary<string, string> global) => new(global)
    {
        ["id"] = Naming.Identifier(queue.Name),
        ["name"] = Naming.HclString(queue.Name),
        ["queue_name"] = Naming.HclString(queue.Name),
        ["dns_name"] = Naming.DnsLabel(queue.Name),
        ["sid"] = Naming.Pascal(Naming.Identifier(queue.Name)),
        ["env"] = ResourceNames.QueueEnvironmentVariable(queue.Name),
        ["declared_at"] = Naming.HclString(queue.DeclaredAt),
        ["visibility_timeout_seconds"] = queue.VisibilityTimeoutSeconds.ToString(CultureInfo.InvariantCulture),
        ["max_deliveries"] = queue.MaxDeliveries.ToString(CultureInfo.InvariantCulture),
        ["retention_seconds"] = queue.RetentionSeconds.ToString(CultureInfo.InvariantCulture),
        // The same options within the narrower ranges some services take (Pub/Sub's: leases of 10 s or more, delivery
        // limits of 5 or more, retention of 10 minutes or more); the app's own calls keep the declared values.
        ["visibility_timeout_seconds_from_10"] = Math.Clamp(queue.VisibilityTimeoutSeconds, 10, 600).ToString(CultureInfo.InvariantCulture),
        ["max_deliveries_from_5"] = Math.Clamp(queue.MaxDeliveries, 5, 100).ToString(CultureInfo.InvariantCulture),
        ["retention_seconds_from_600"] = Math.Max(600, queue.RetentionSeconds).ToString(CultureInfo.InvariantCulture),
        ["queue_actions"] = ActionLines(grants.Where(g => g.Scope == GrantScope.Queue && !OnTopic(g))),
        ["queue_topic_actions"] = ActionLines(grants.Where(g => g.Scope == GrantScope.Queue && OnTopic(g)).Select(OffTopic)),
        ["dead_letter_actions"] = ActionLines(grants.Where(g => g.Scope == GrantScope.DeadLetters && !OnTopic(g))),
        ["dead_letter_topic_actions"] = ActionLines(grants.Where(g => g.Scope == GrantScope.DeadLetters && OnTopic(g)).Select(OffTopic)),
    };

    /// <summary>Whether a queue grant applies to the queue's topic (<c>topic:</c> in the catalog) rather than what it is received from.</summary>
    private static bool OnTopic(Grant grant) => grant.Action.StartsWith(TopicPrefix, StringComparison.Ordinal);

    private static Grant OffTopic(Grant grant) => grant with { Action = grant.Action[TopicPrefix.Length..] };

    private const string TopicPrefix = "topic:";

    /// <summary>The rendered text without the newlines around it, or empty when it holds only whitespace.</summary>
    private static string Trimmed(StringBuilder rendered)
    {
        int start = 0, end = rendered.Length;
        while (start < end && rendered[start] == '\n')
        {
            start++;
        }

        while (end > start && rendered[end - 1] == '\n')
        {
            end--;
        }

        for (var i = start; i < end; i++)
        {
            if (!char.IsWhiteSpace(rendered[i]))
            {
                return rendered.ToString(start, end - start);
            }
        }

        return "";
    }

    /// <summary>One list item per action, with the call sites that need it: <c>"s3:GetObject", # Program.cs:12, Program.cs:30</c>.</summary>
    private static string ActionLines(IEnumerable<Grant> grants) =>
        string.Join("\n", grants.Select(g => $"\"{Naming.HclString(g.Action)}\", # {string.Join(", ", g.CallSites)}"));

    /// <summary>A Google service account id prefix: 4 to 21 characters, starting with a letter (the suffix adds up to 9).</summary>
    private static string AccountId(string app)
    {
        var id = Naming.DnsLabel(app, 21);
        id = char.IsAsciiLetter(id[0]) ? id : "a" + id[..Math.Min(id.Length, 20)];
        return id.Length < 4 ? id + "-app" : id;
    }
}
