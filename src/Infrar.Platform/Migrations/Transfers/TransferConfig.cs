using System.Globalization;
using System.Text;
using Infrar.Platform.Deployments;

namespace Infrar.Platform.Migrations.Transfers;

/// <summary>One bucket a transfer service copies: its logical name and its physical names on both sides.</summary>
internal sealed record TransferBucket(string Name, string SourceName, string TargetName);

/// <summary>What a migration's transfer configuration is written from.</summary>
internal sealed record TransferSpec(
    long MigrationId,
    long Pass,
    string SourceProvider,
    string TargetProvider,
    string TargetRegion,
    IReadOnlyList<TransferBucket> Buckets,
    DateTimeOffset Now,
    string? SourceStorageAccount = null,
    (string Email, string Project)? SourceServiceAccount = null);

/// <summary>
/// Writes the OpenTofu a migration applies to hand buckets to the target cloud's transfer service, and destroys when the
/// pass is verified (or the migration ends): Storage Transfer Service jobs into Cloud Storage, or DataSync tasks into
/// S3, each running once, with the least access the service needs on each bucket. The source's keys are variables
/// marked sensitive, given to the run as TF_VAR_ values, never written into the files.
/// </summary>
internal static class TransferConfig
{
    public const string FileName = "transfer.tf";

    /// <summary>The files of the transfer configuration.</summary>
    public static Dictionary<string, string> Render(TransferSpec spec) => new(StringComparer.Ordinal)
    {
        [FileName] = spec.TargetProvider switch
        {
            "gcp" => StorageTransferService(spec),
            "aws" => DataSync(spec),
            _ => throw new MigrationInputException($"no transfer service copies into {spec.TargetProvider}"),
        },
    };

    /// <summary>The variables a run needs, by TF_VAR_ name, from the source's credentials (the SAS the worker made for Azure).</summary>
    public static Dictionary<string, string> Variables(TransferSpec spec, IReadOnlyDictionary<string, string> sourceCredentials, IReadOnlyDictionary<string, string>? sourceSasTokens)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        switch (spec.SourceProvider)
        {
            case "aws":
                variables["TF_VAR_source_aws_access_key_id"] = sourceCredentials.GetValueOrDefault("AWS_ACCESS_KEY_ID") ?? "";
                variables["TF_VAR_source_aws_secret_access_key"] = sourceCredentials.GetValueOrDefault("AWS_SECRET_ACCESS_KEY") ?? "";
                break;
            case "azure":
                variables["TF_VAR_source_azure_sas_tokens"] = System.Text.Json.JsonSerializer.Serialize(
                    sourceSasTokens ?? throw new InvalidOperationException("An Azure source needs a SAS for each container."));
                break;
            case "gcp":
                variables["TF_VAR_source_google_credentials"] = sourceCredentials.GetValueOrDefault("GOOGLE_CREDENTIALS") ?? "";
                break;
        }

        return variables;
    }

    /// <summary>
    /// The variables a destroy needs: the source's keys where a provider of the configuration uses them, a placeholder
    /// for each bucket's SAS (a destroy reads nothing through it, but the variable must be given).
    /// </summary>
    public static Dictionary<string, string> DestroyVariables(string sourceProvider, IEnumerable<string> buckets, IReadOnlyDictionary<string, string> sourceCredentials)
    {
        var spec = new TransferSpec(0, 0, sourceProvider, "", "", [], DateTimeOffset.UtcNow);
        return Variables(spec, sourceCredentials, buckets.ToDictionary(b => b, _ => "destroying", StringComparer.Ordinal));
    }

    private static string StorageTransferService(TransferSpec spec)
    {
        var hcl = new Hcl();
        hcl.Comment(
            $"Written by Infrar.Platform for migration {spec.MigrationId}, pass {spec.Pass}: Storage Transfer Service copies each bucket",
            $"below from {spec.SourceProvider} into Cloud Storage, once. The migration destroys all of this when the pass is verified.",
            "The source's keys are variables given to the run, never written here.");
        hcl.Terraform(("google", "hashicorp/google"));
        hcl.Open("provider \"google\"").Set("project", "var.project", raw: true).Set("region", spec.TargetRegion).Close();
        if (spec.SourceProvider == "gcp")
        {
            var source = spec.SourceServiceAccount ?? throw new InvalidOperationException("A Cloud Storage source needs its service account.");
            hcl.Open("provider \"google\"").Set("alias", "source").Set("credentials", "var.source_google_credentials", raw: true).Set("project", source.Project).Close();
        }

        hcl.Variable("project", "The Google Cloud project the jobs run in: the target environment's.", sensitive: false);
        foreach (var name in SecretVariables(spec.SourceProvider))
        {
            hcl.Variable(name.Name, name.Description, sensitive: true, type: name.Name.EndsWith("_tokens", StringComparison.Ordinal) ? "map(string)" : "string");
        }

        hcl.Open("data \"google_storage_transfer_project_service_account\" \"infrar\"").Close();
        const string Agent = "\"serviceAccount:${data.google_storage_transfer_project_service_account.infrar.email}\"";
        foreach (var bucket in spec.Buckets)
        {
            var id = Build.Infrastructure.Naming.Identifier(bucket.Name);
            var grants = new List<string>();
            foreach (var (suffix, role) in new[] { ("sink", "roles/storage.objectAdmin"), ("sink_bucket", "roles/storage.legacyBucketReader") })
            {
                hcl.Open($"resource \"google_storage_bucket_iam_member\" \"{id}_{suffix}\"")
                    .Set("bucket", bucket.TargetName).Set("role", role).Set("member", Agent, raw: true).Close();
                grants.Add($"google_storage_bucket_iam_member.{id}_{suffix}");
            }

            if (spec.SourceProvider == "gcp")
            {
                foreach (var (suffix, role) in new[] { ("source", "roles/storage.objectViewer"), ("source_bucket", "roles/storage.legacyBucketReader") })
                {
                    hcl.Open($"resource \"google_storage_bucket_iam_member\" \"{id}_{suffix}\"")
                        .Set("provider", "google.source", raw: true).Set("bucket", bucket.SourceName).Set("role", role).Set("member", Agent, raw: true).Close();
                    grants.Add($"google_storage_bucket_iam_member.{id}_{suffix}");
                }
            }

            hcl.Open($"resource \"google_storage_transfer_job\" \"{id}\"")
                .Set("description", $"infrar migration {spec.MigrationId} pass {spec.Pass}: {bucket.Name}")
                .Blank()
                .Open("transfer_spec");
            switch (spec.SourceProvider)
            {
                case "aws":
                    hcl.Open("aws_s3_data_source").Set("bucket_name", bucket.SourceName).Blank()
                        .Open("aws_access_key").Set("access_key_id", "var.source_aws_access_key_id", raw: true).Set("secret_access_key", "var.source_aws_secret_access_key", raw: true).Close()
                        .Close();
                    break;
                case "azure":
                    hcl.Open("azure_blob_storage_data_source")
                        .Set("storage_account", spec.SourceStorageAccount ?? throw new InvalidOperationException("An Azure source needs its storage account."))
                        .Set("container", bucket.SourceName).Blank()
                        .Open("azure_credentials").Set("sas_token", $"var.source_azure_sas_tokens[{RunWorkspace.Quote(bucket.Name)}]", raw: true).Close()
                        .Close();
                    break;
                default:
                    hcl.Open("gcs_data_source").Set("bucket_name", bucket.SourceName).Close();
                    break;
            }

            hcl.Blank().Open("gcs_data_sink").Set("bucket_name", bucket.TargetName).Close()
                .Blank().Open("transfer_options").Set("overwrite_when", "DIFFERENT").Close()
                .Close()
                .Blank()
                .Open("schedule").Date("schedule_start_date", spec.Now).Blank().Date("schedule_end_date", spec.Now).Close()
                .Blank()
                .Set("depends_on", "[" + string.Join(", ", grants) + "]", raw: true)
                .Close();
        }

        return hcl.ToString();
    }

    private static string DataSync(TransferSpec spec)
    {
        var source = spec.SourceServiceAccount ?? throw new InvalidOperationException("DataSync from Cloud Storage needs the source's service account.");
        var prefix = $"infrar-migration-{spec.MigrationId.ToString(CultureInfo.InvariantCulture)}";

        // A one-time schedule: DataSync has no resource that starts a task, so the task is scheduled for a few minutes on.
        var start = spec.Now.UtcDateTime.AddMinutes(5);
        var cron = $"cron({start.Minute} {start.Hour} {start.Day} {start.Month} ? {start.Year})";
        var hcl = new Hcl();
        hcl.Comment(
            $"Written by Infrar.Platform for migration {spec.MigrationId}, pass {spec.Pass}: DataSync (Enhanced mode, no agent) copies",
            "each bucket below from Cloud Storage into S3, once, through Cloud Storage's S3-compatible API with an HMAC key made",
            "for the source's service account. The migration destroys all of this, the key too, when the pass is verified.");
        hcl.Terraform(("aws", "hashicorp/aws"), ("google", "hashicorp/google"));
        hcl.Open("provider \"aws\"").Set("region", spec.TargetRegion).Close();
        hcl.Open("provider \"google\"").Set("credentials", "var.source_google_credentials", raw: true).Set("project", source.Project).Close();
        foreach (var name in SecretVariables(spec.SourceProvider))
        {
            hcl.Variable(name.Name, name.Description, sensitive: true);
        }

        hcl.Open("resource \"google_storage_hmac_key\" \"source\"").Set("service_account_email", source.Email).Close();
        hcl.Open("resource \"aws_iam_role\" \"datasync\"")
            .Set("name_prefix", prefix + "-")
            .Set("assume_role_policy", """
                jsonencode({
                  Version = "2012-10-17"
                  Statement = [{
                    Effect    = "Allow"
                    Principal = { Service = "datasync.amazonaws.com" }
                    Action    = "sts:AssumeRole"
                  }]
                })
                """, raw: true)
            .Close();
        var buckets = string.Join(", ", spec.Buckets.Select(b => RunWorkspace.Quote("arn:aws:s3:::" + b.TargetName)));
        var objects = string.Join(", ", spec.Buckets.Select(b => RunWorkspace.Quote("arn:aws:s3:::" + b.TargetName + "/*")));
        hcl.Open("resource \"aws_iam_role_policy\" \"datasync\"")
            .Set("role", "aws_iam_role.datasync.id", raw: true)
            .Set("policy", $$"""
                jsonencode({
                  Version = "2012-10-17"
                  Statement = [
                    {
                      Effect   = "Allow"
                      Action   = ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"]
                      Resource = [{{buckets}}]
                    },
                    {
                      Effect   = "Allow"
                      Action   = ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:GetObjectTagging", "s3:ListMultipartUploadParts", "s3:PutObject", "s3:PutObjectTagging"]
                      Resource = [{{objects}}]
                    },
                  ]
                })
                """, raw: true)
            .Close();
        foreach (var bucket in spec.Buckets)
        {
            var id = Build.Infrastructure.Naming.Identifier(bucket.Name);
            hcl.Open($"resource \"aws_datasync_location_object_storage\" \"{id}_source\"")
                .Set("server_hostname", "storage.googleapis.com")
                .Set("server_protocol", "HTTPS")
                .Set("server_port", "443", raw: true)
                .Set("bucket_name", bucket.SourceName)
                .Set("access_key", "google_storage_hmac_key.source.access_id", raw: true)
                .Set("secret_key", "google_storage_hmac_key.source.secret", raw: true)
                .Close();
            hcl.Open($"resource \"aws_datasync_location_s3\" \"{id}_target\"")
                .Set("s3_bucket_arn", "arn:aws:s3:::" + bucket.TargetName)
                .Set("subdirectory", "/")
                .Blank()
                .Open("s3_config").Set("bucket_access_role_arn", "aws_iam_role.datasync.arn", raw: true).Close()
                .Blank()
                .Set("depends_on", "[aws_iam_role_policy.datasync]", raw: true)
                .Close();
            hcl.Open($"resource \"aws_datasync_task\" \"{id}\"")
                .Set("name", $"{prefix}-pass-{spec.Pass.ToString(CultureInfo.InvariantCulture)}-{Build.Infrastructure.Naming.DnsLabel(bucket.Name, 40)}")
                .Set("source_location_arn", $"aws_datasync_location_object_storage.{id}_source.arn", raw: true)
                .Set("destination_location_arn", $"aws_datasync_location_s3.{id}_target.arn", raw: true)
                .Set("task_mode", "ENHANCED")
                .Blank()
                .Open("options")
                .Set("transfer_mode", "CHANGED")
                .Set("overwrite_mode", "ALWAYS")
                .Set("verify_mode", "ONLY_FILES_TRANSFERRED")
                .Set("object_tags", "NONE")
                .Close()
                .Blank()
                .Open("schedule").Set("schedule_expression", cron).Close()
                .Close();
        }

        return hcl.ToString();
    }

    private static IEnumerable<(string Name, string Description)> SecretVariables(string sourceProvider) => sourceProvider switch
    {
        "aws" =>
        [
            ("source_aws_access_key_id", "The source environment's AWS access key id, which Storage Transfer Service reads S3 with."),
            ("source_aws_secret_access_key", "Its secret."),
        ],
        "azure" => [("source_azure_sas_tokens", "For each bucket, a SAS that reads and lists the source's container, made for this pass.")],
        "gcp" => [("source_google_credentials", "The source environment's service-account key.")],
        _ => [],
    };

    /// <summary>HCL as <c>tofu fmt</c> leaves it: two-space indents, aligned <c>=</c> in each run of attributes.</summary>
    private sealed class Hcl
    {
        private readonly StringBuilder _text = new();
        private readonly List<(string Name, string Value)> _run = [];
        private int _depth;

        public void Comment(params string[] lines)
        {
            foreach (var line in lines)
            {
                _text.Append("# ").Append(line).Append('\n');
            }
        }

        public void Terraform(params (string Name, string Source)[] providers)
        {
            Open("terraform").Open("required_providers");
            foreach (var (name, source) in providers)
            {
                Open($"{name} =").Set("source", source).Set("version", "~> 6.0").Close();
            }

            Close().Close();
        }

        public void Variable(string name, string description, bool sensitive, string type = "string")
        {
            Open($"variable \"{name}\"").Set("description", description).Set("type", type, raw: true);
            if (sensitive)
            {
                Set("sensitive", "true", raw: true);
            }

            Close();
        }

        public Hcl Open(string header)
        {
            Flush();
            if (_depth == 0 && _text.Length > 0)
            {
                _text.Append('\n');
            }

            Indent().Append(header).Append(" {\n");
            _depth++;
            return this;
        }

        public Hcl Set(string name, string value, bool raw = false)
        {
            _run.Add((name, raw ? value : RunWorkspace.Quote(value)));
            return this;
        }

        public Hcl Date(string block, DateTimeOffset date) =>
            Open(block)
                .Set("year", date.UtcDateTime.Year.ToString(CultureInfo.InvariantCulture), raw: true)
                .Set("month", date.UtcDateTime.Month.ToString(CultureInfo.InvariantCulture), raw: true)
                .Set("day", date.UtcDateTime.Day.ToString(CultureInfo.InvariantCulture), raw: true)
                .Close();

        public Hcl Blank()
        {
            Flush();
            if (!_text.ToString().EndsWith("\n\n", StringComparison.Ordinal) && !_text.ToString().EndsWith("{\n", StringComparison.Ordinal))
            {
                _text.Append('\n');
            }

            return this;
        }

        public Hcl Close()
        {
            Flush();
            while (_text.ToString().EndsWith("\n\n", StringComparison.Ordinal))
            {
                _text.Length--;
            }

            _depth--;
            Indent().Append("}\n");
            return this;
        }

        public override string ToString() => _text.ToString();

        private void Flush()
        {
            // tofu fmt aligns the = of a run of one-line attributes; an attribute of several lines stands alone.
            for (var first = 0; first < _run.Count;)
            {
                var multiLine = _run[first].Value.Contains('\n', StringComparison.Ordinal);
                var count = multiLine ? 1 : _run.Skip(first).TakeWhile(a => !a.Value.Contains('\n', StringComparison.Ordinal)).Count();
                var width = _run.Skip(first).Take(count).Max(a => a.Name.Length);
                foreach (var (name, value) in _run.Skip(first).Take(count))
                {
                    var lines = value.Split('\n');
                    Indent().Append(name.PadRight(width)).Append(" = ").Append(lines[0]).Append('\n');
                    foreach (var line in lines.Skip(1))
                    {
                        Indent().Append(line).Append('\n');
                    }
                }

                first += count;
            }

            _run.Clear();
        }

        private StringBuilder Indent() => _text.Append(' ', _depth * 2);
    }
}
