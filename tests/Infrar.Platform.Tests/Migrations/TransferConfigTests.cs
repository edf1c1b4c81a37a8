using Infrar.Platform.Migrations;
using Infrar.Platform.Migrations.Transfers;
using Infrar.Testing;
using Xunit;

namespace Infrar.Platform.Tests.Migrations;

/// <summary>
/// The OpenTofu a migration applies to hand big buckets to the target cloud's transfer service: every resource, block
/// and attribute exists in the provider schemas of ../shared/reference, <c>terraform fmt</c> leaves it alone, and no
/// key is written into it. Which engine a bucket gets, and why, is the plan's.
/// </summary>
public sealed class TransferConfigTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 19, 58, 0, TimeSpan.Zero);

    private static readonly Dictionary<string, string> AwsKeys = new()
    {
        ["AWS_ACCESS_KEY_ID"] = "AKIAEXAMPLEKEY000001",
        ["AWS_SECRET_ACCESS_KEY"] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    };

    private static readonly Dictionary<string, string> GoogleKey = new()
    {
        ["GOOGLE_CREDENTIALS"] = """{"type":"service_account","project_id":"photos-source","client_email":"deployer@photos-source.iam.gserviceaccount.com","private_key":"-----BEGIN PRIVATE KEY-----\nMIIEexample\n-----END PRIVATE KEY-----\n"}""",
    };

    public static TheoryData<string, string> Pairs => new()
    {
        { "aws", "gcp" },
        { "azure", "gcp" },
        { "gcp", "gcp" },
        { "gcp", "aws" },
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public async Task The_transfer_configuration_matches_the_provider_schemas_and_is_formatted(string from, string to)
    {
        var credentials = from switch { "aws" => AwsKeys, "gcp" => GoogleKey, _ => new Dictionary<string, string>() };
        var spec = new TransferSpec(
            7, 2, from, to, to == "aws" ? "eu-west-1" : "europe-west1",
            [new TransferBucket("photos", "photos-src-7f3a", "photos-dst-9c1e"), new TransferBucket("user-avatars", "avatars-src", "avatars-dst")],
            Now,
            from == "azure" ? "photosprod7f3a" : null,
            TransferEngines.ServiceAccountOf(credentials));
        var files = TransferConfig.Render(spec);
        var hcl = files[TransferConfig.FileName];

        Assert.Empty(HclSchemaChecker.Check(null, TransferConfig.FileName, hcl));
        var folder = Directory.CreateTempSubdirectory("infrar-transfer-");
        try
        {
            File.WriteAllText(Path.Combine(folder.FullName, TransferConfig.FileName), hcl);
            var fmt = await Terraform.RunAsync(folder.FullName, "fmt", "-check", "-diff", "-no-color");
            Assert.True(fmt.ExitCode == 0, fmt.Output + "\n" + hcl);
        }
        finally
        {
            folder.Delete(recursive: true);
        }

        // Each bucket's job reads its source and writes its target, by their physical names.
        foreach (var (source, target) in new[] { ("photos-src-7f3a", "photos-dst-9c1e"), ("avatars-src", "avatars-dst") })
        {
            Assert.Contains($"\"{source}\"", hcl, StringComparison.Ordinal);
            Assert.Contains(to == "aws" ? $"\"arn:aws:s3:::{target}\"" : $"bucket_name = \"{target}\"", hcl, StringComparison.Ordinal);
        }

        // Keys only ever arrive as sensitive variables.
        var sas = from == "azure" ? new Dictionary<string, string> { ["photos"] = "sv=2025-01-05&sig=abc", ["user-avatars"] = "sv=2025-01-05&sig=def" } : null;
        var variables = TransferConfig.Variables(spec, credentials, sas);
        Assert.NotEmpty(variables);
        foreach (var (name, value) in variables)
        {
            Assert.StartsWith("TF_VAR_source_", name, StringComparison.Ordinal);
            Assert.DoesNotContain(value, hcl, StringComparison.Ordinal);
            var variable = name["TF_VAR_".Length..];
            Assert.Contains($"variable \"{variable}\" {{", hcl, StringComparison.Ordinal);
            var block = hcl[hcl.IndexOf($"variable \"{variable}\"", StringComparison.Ordinal)..];
            Assert.Contains("sensitive", block[..block.IndexOf('}', StringComparison.Ordinal)], StringComparison.Ordinal);
        }

        if (to == "gcp")
        {
            // Runs once, today, and the service agent may write only into the target buckets (and read the sources on gcp).
            Assert.Equal(4, Count(hcl, "year  = 2026"));
            Assert.Equal(2, Count(hcl, "resource \"google_storage_transfer_job\""));
            Assert.Equal(from == "gcp" ? 8 : 4, Count(hcl, "resource \"google_storage_bucket_iam_member\""));
            Assert.DoesNotContain("roles/storage.admin", hcl, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains("task_mode                = \"ENHANCED\"", hcl, StringComparison.Ordinal);
            Assert.Contains("cron(3 20 30 11 ? 2026)", hcl, StringComparison.Ordinal);
            Assert.Contains("service_account_email = \"deployer@photos-source.iam.gserviceaccount.com\"", hcl, StringComparison.Ordinal);
            Assert.DoesNotContain("\"s3:*\"", hcl, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("aws", "gcp", 2_000, 1_000, TransferEngines.StorageTransferService)]
    [InlineData("azure", "gcp", 2_000, 1_000, TransferEngines.StorageTransferService)]
    [InlineData("gcp", "aws", 2_000, 1_000, TransferEngines.DataSync)]
    [InlineData("aws", "gcp", 999, 1_000, TransferEngines.Infrar)]
    [InlineData("local", "gcp", 2_000, 0, TransferEngines.Infrar)]
    [InlineData("aws", "azure", 2_000, 0, TransferEngines.Infrar)]
    [InlineData("azure", "aws", 2_000, 0, TransferEngines.Infrar)]
    [InlineData("aws", "aws", 2_000, 0, TransferEngines.Infrar)]
    [InlineData("gcp", "local", 2_000, 0, TransferEngines.Infrar)]
    public void Each_bucket_gets_an_engine_and_the_reason(string from, string to, long bytes, long threshold, string expected)
    {
        var credentials = from switch { "aws" => AwsKeys, "gcp" => GoogleKey, _ => new Dictionary<string, string>() };
        var (engine, why) = TransferEngines.Choose(from, to, bytes, threshold, credentials);
        Assert.Equal(expected, engine);
        Assert.Contains(bytes < threshold ? "below the transfer threshold" : "at or above the transfer threshold", why, StringComparison.Ordinal);
    }

    [Fact]
    public void Temporary_aws_keys_and_a_gcp_source_without_a_service_account_key_stay_with_the_service_and_say_why()
    {
        var temporary = new Dictionary<string, string>(AwsKeys) { ["AWS_SESSION_TOKEN"] = "FwoGZXIvYXdzEXAMPLE" };
        var (engine, why) = TransferEngines.Choose("aws", "gcp", 10, 1, temporary);
        Assert.Equal(TransferEngines.Infrar, engine);
        Assert.Contains("session token", why, StringComparison.Ordinal);

        (engine, why) = TransferEngines.Choose("gcp", "aws", 10, 1, new Dictionary<string, string> { ["STORAGE_EMULATOR_HOST"] = "http://127.0.0.1:4443" });
        Assert.Equal(TransferEngines.Infrar, engine);
        Assert.Contains("service-account key", why, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("1048576", 1_048_576L)]
    [InlineData("500GiB", 500L << 30)]
    [InlineData("1.5 TiB", 3L << 39)]
    [InlineData("2T", 2L << 40)]
    [InlineData("64kb", 64L << 10)]
    public void Sizes_read_as_people_write_them(string text, long bytes)
    {
        Assert.True(ByteSize.TryParse(text, out var parsed));
        Assert.Equal(bytes, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("ten")]
    [InlineData("5 XB")]
    [InlineData("99999999999 PiB")]
    public void A_size_that_is_not_one_is_refused(string text) => Assert.False(ByteSize.TryParse(text, out _));

    private static int Count(string text, string what)
    {
        var count = 0;
        for (var at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + what.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
