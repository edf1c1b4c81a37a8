using System.Text;
using Infrar.Generators.Catalog;
using Infrar.Platform.Policies.Hcl;

namespace Infrar.Platform.Policies;

/// <summary>One thing submitted infrastructure may not do: where, which rule, and why.</summary>
internal sealed record PolicyViolation(string File, int Line, string Rule, string Message)
{
    public override string ToString() => $"{File}:{Line}: {Message} (rule {Rule})";
}

/// <summary>
/// What a deployment's OpenTofu files may contain, checked before <c>init</c>, so that a deployer can run no code,
/// read no file and reach no state or provider beyond what Infrar's build writes. Each refusal names the file, the
/// line and the rule (docs/platform.md lists the rules).
/// </summary>
internal sealed class InfraPolicy(ProviderAllowlist providers)
{
    public const int MaxFiles = 64;
    public const int MaxFileBytes = 1024 * 1024;
    public const int MaxTotalBytes = 8 * 1024 * 1024;

    /// <summary>Functions that read files or render templates at plan time: the way to read the service's own files.</summary>
    private static readonly HashSet<string> FileFunctions = new(StringComparer.Ordinal)
    {
        "file", "filebase64", "filebase64sha256", "filebase64sha512", "fileexists", "filemd5", "filesha1", "filesha256",
        "filesha512", "fileset", "templatefile", "templatestring",
    };

    private static readonly HashSet<string> TopLevelBlocks = new(StringComparer.Ordinal) { "terraform", "provider", "variable", "locals", "output", "resource", "data" };

    /// <summary>The one provisioner the local provider's build writes: <c>mkdir -p -- &lt;folder&gt;</c>, run without a shell.</summary>
    private static readonly string[] LocalFolderInterpreter = ["mkdir", "-p", "--"];

    public static InfraPolicy Default { get; } = new(ProviderAllowlist.Catalog);

    public ProviderAllowlist Providers => providers;

    public IReadOnlyList<PolicyViolation> Check(IReadOnlyDictionary<string, string> files, string environmentProvider)
    {
        var violations = new List<PolicyViolation>();
        if (files.Count > MaxFiles)
        {
            violations.Add(new PolicyViolation("infra", 0, Rules.Size, $"a deployment carries at most {MaxFiles} files, not {files.Count}"));
            return violations;
        }

        if (files.Sum(f => (long)Encoding.UTF8.GetByteCount(f.Value)) > MaxTotalBytes)
        {
            violations.Add(new PolicyViolation("infra", 0, Rules.Size, $"a deployment's files hold at most {MaxTotalBytes / 1024 / 1024} MiB"));
            return violations;
        }

        var parsed = new List<(string File, IReadOnlyList<HclToken> Tokens, HclBody Body)>();
        foreach (var (file, content) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            if (FileNameProblem(file) is { } problem)
            {
                violations.Add(new PolicyViolation(file, 0, Rules.FileName, problem));
                continue;
            }

            if (Encoding.UTF8.GetByteCount(content) > MaxFileBytes)
            {
                violations.Add(new PolicyViolation(file, 0, Rules.Size, $"a file holds at most {MaxFileBytes / 1024} KiB"));
                continue;
            }

            try
            {
                var tokens = HclLexer.Tokenize(content);
                parsed.Add((file, tokens, HclBody.Parse(tokens)));
            }
            catch (HclSyntaxException e)
            {
                violations.Add(new PolicyViolation(file, e.Line, Rules.Syntax, $"the policy cannot read this HCL ({e.Message}), so it refuses it"));
            }
        }

        var declared = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (file, _, body) in parsed)
        {
            CheckTopLevel(file, body, declared, violations);
        }

        foreach (var (file, tokens, body) in parsed)
        {
            CheckFunctions(file, tokens, declared, violations);
            foreach (var block in body.Blocks)
            {
                switch (block.Type)
                {
                    case "resource" or "data":
                        CheckResource(file, block, declared, environmentProvider, violations);
                        break;
                    case "provider":
                        CheckProviderBlock(file, block, declared, violations);
                        break;
                }
            }
        }

        return violations;
    }

    /// <summary>Why a file name is refused, or null: only plain <c>.tf</c> files, never an override.</summary>
    public static string? FileNameProblem(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.IndexOfAny(['/', '\\', '\0']) >= 0 || name.StartsWith('.') || name.Any(char.IsControl))
        {
            return $"'{Printable(name)}' is not a plain file name";
        }

        if (name.EndsWith(".tfvars", StringComparison.Ordinal) || name.EndsWith(".tfvars.json", StringComparison.Ordinal))
        {
            return $"'{name}' would set variables over the environment's own; variables come only from the environment";
        }

        if (!name.EndsWith(".tf", StringComparison.Ordinal))
        {
            return $"'{name}' is not a .tf file; a deployment carries the .tf files of the build's infra folder (JSON syntax is not accepted)";
        }

        if (name == "override.tf" || name.EndsWith("_override.tf", StringComparison.Ordinal))
        {
            return $"'{name}' is an override file, which would rewrite other files' blocks after the policy read them";
        }

        if (name.StartsWith("infrar_", StringComparison.Ordinal))
        {
            return $"'{name}': names starting with infrar_ are kept for the files the service writes";
        }

        return null;
    }

    private void CheckTopLevel(string file, HclBody body, Dictionary<string, string> declared, List<PolicyViolation> violations)
    {
        foreach (var attribute in body.Attributes)
        {
            violations.Add(new PolicyViolation(file, attribute.Line, Rules.BlockType, $"'{attribute.Name} =' at the top level is not OpenTofu configuration"));
        }

        foreach (var block in body.Blocks)
        {
            if (!TopLevelBlocks.Contains(block.Type))
            {
                var (rule, why) = block.Type switch
                {
                    "module" => (Rules.NoModules, "a module block loads code from elsewhere, out of the policy's sight"),
                    "import" => (Rules.NoImports, "an import block takes over a resource that exists in the account but not in this environment"),
                    _ => (Rules.BlockType, $"'{block.Type}' blocks are not accepted; Infrar's build writes only {string.Join(", ", TopLevelBlocks)} blocks"),
                };
                violations.Add(new PolicyViolation(file, block.Line, rule, why));
                continue;
            }

            if (block.Type != "terraform")
            {
                continue;
            }

            foreach (var setting in block.Body.Attributes.Where(a => a.Name != "required_version"))
            {
                violations.Add(new PolicyViolation(file, setting.Line, Rules.TerraformSettings, $"terraform.{setting.Name} is not accepted; only required_version and required_providers are"));
            }

            foreach (var nested in block.Body.Blocks)
            {
                if (nested.Type is "backend" or "cloud")
                {
                    violations.Add(new PolicyViolation(file, nested.Line, Rules.NoBackend, $"a {nested.Type} block would move the environment's state; the service chooses where state lives"));
                }
                else if (nested.Type != "required_providers")
                {
                    violations.Add(new PolicyViolation(file, nested.Line, Rules.TerraformSettings, $"terraform {{ {nested.Type} }} is not accepted; only required_version and required_providers are"));
                }
                else
                {
                    foreach (var entry in nested.Body.Attributes)
                    {
                        CheckRequiredProvider(file, entry, declared, violations);
                    }

                    foreach (var inner in nested.Body.Blocks)
                    {
                        violations.Add(new PolicyViolation(file, inner.Line, Rules.Providers, $"required_providers holds '{inner.Type}' as a block; write it as {inner.Type} = {{ source = \"…\", version = \"…\" }}"));
                    }
                }
            }
        }
    }

    private void CheckRequiredProvider(string file, HclAttribute entry, Dictionary<string, string> declared, List<PolicyViolation> violations)
    {
        string source;
        if (HclLiterals.StringObject(entry.Expression) is { } settings)
        {
            if (settings.Keys.FirstOrDefault(k => k is not ("source" or "version")) is { } other)
            {
                violations.Add(new PolicyViolation(file, entry.Line, Rules.Providers, $"required_providers.{entry.Name}.{other} is not accepted; give source and version only"));
                return;
            }

            source = settings.GetValueOrDefault("source") ?? $"hashicorp/{entry.Name}";
        }
        else if (entry.LiteralString is not null)
        {
            source = $"hashicorp/{entry.Name}";
        }
        else
        {
            violations.Add(new PolicyViolation(file, entry.Line, Rules.Providers, $"required_providers.{entry.Name} must be a literal {{ source = \"…\", version = \"…\" }}"));
            return;
        }

        if (providers.Find(source) is null)
        {
            violations.Add(new PolicyViolation(file, entry.Line, Rules.Providers, NotAllowed(source)));
            return;
        }

        declared[entry.Name] = source;
    }

    private void CheckResource(string file, HclBlock block, Dictionary<string, string> declared, string environmentProvider, List<PolicyViolation> violations)
    {
        if (block.Labels.Count != 2)
        {
            violations.Add(new PolicyViolation(file, block.Line, Rules.Syntax, $"a {block.Type} block has a type and a name"));
            return;
        }

        var type = block.Labels[0];
        if (block.Type == "data" && type == "external")
        {
            violations.Add(new PolicyViolation(file, block.Line, Rules.NoExternal, "the external data source runs a program on the service's machine"));
            return;
        }

        if (block.Type == "data" && type == "terraform_remote_state")
        {
            violations.Add(new PolicyViolation(file, block.Line, Rules.NoRemoteState, "terraform_remote_state reads another configuration's state"));
            return;
        }

        var reference = ProviderReference(block.Body.Attribute("provider"));
        var localName = reference ?? (type.Contains('_', StringComparison.Ordinal) ? type[..type.IndexOf('_', StringComparison.Ordinal)] : type);
        if (localName.Length == 0)
        {
            violations.Add(new PolicyViolation(file, block.Line, Rules.Providers, $"{block.Type} {type}.{block.Labels[1]}: provider must name a provider, as aws or aws.alias"));
            return;
        }

        var source = SourceOf(localName, declared);
        if (providers.Find(source) is null)
        {
            violations.Add(new PolicyViolation(file, block.Line, Rules.Providers, $"{block.Type} {type}.{block.Labels[1]} needs the provider {source}: {NotAllowed(source)}"));
        }

        foreach (var nested in block.Body.Blocks)
        {
            if (nested.Type == "connection")
            {
                violations.Add(new PolicyViolation(file, nested.Line, Rules.NoProvisioners, "connection blocks serve provisioners, which deployments may not carry"));
            }
            else if (nested.Type == "provisioner" && !IsLocalFolderProvisioner(nested, environmentProvider))
            {
                var kind = nested.Labels.FirstOrDefault() ?? "?";
                violations.Add(new PolicyViolation(file, nested.Line, Rules.NoProvisioners,
                    $"a {kind} provisioner runs commands; deployments may not carry provisioners (on local environments only the build's own mkdir -p, with interpreter [\"mkdir\", \"-p\", \"--\"])"));
            }
        }
    }

    private void CheckProviderBlock(string file, HclBlock block, Dictionary<string, string> declared, List<PolicyViolation> violations)
    {
        if (block.Labels.Count != 1)
        {
            violations.Add(new PolicyViolation(file, block.Line, Rules.Syntax, "a provider block has one label, the provider's name"));
            return;
        }

        var source = SourceOf(block.Labels[0], declared);
        if (providers.Find(source) is not { } allowed)
        {
            violations.Add(new PolicyViolation(file, block.Line, Rules.Providers, $"provider \"{block.Labels[0]}\": {NotAllowed(source)}"));
            return;
        }

        if (allowed.Configuration is not { } arguments)
        {
            return;
        }

        var used = block.Body.Attributes.Select(a => (a.Name, a.Line)).Concat(block.Body.Blocks.Select(b => (Name: b.Type, b.Line)));
        foreach (var (name, line) in used.Where(u => u.Name != "alias" && !arguments.Contains(u.Name)))
        {
            var expected = arguments.Count == 0 ? "none" : string.Join(", ", arguments.Order(StringComparer.Ordinal));
            violations.Add(new PolicyViolation(file, line, Rules.ProviderConfiguration,
                $"provider \"{block.Labels[0]}\" sets {name}; deployments may set only what Infrar's build sets ({expected}), so that credentials and endpoints stay the environment's"));
        }
    }

    private void CheckFunctions(string file, IReadOnlyList<HclToken> tokens, Dictionary<string, string> declared, List<PolicyViolation> violations)
    {
        for (var i = 0; i < tokens.Count; i++)
        {
            if (!tokens[i].Is("("))
            {
                continue;
            }

            var nameIndex = PreviousSignificant(tokens, i);
            if (nameIndex < 0 || tokens[nameIndex].Kind != HclTokenKind.Identifier)
            {
                continue;
            }

            var parts = new List<string> { tokens[nameIndex].Text };
            var j = nameIndex;
            while (PreviousSignificant(tokens, j) is var colons and >= 0 && tokens[colons].Is("::") &&
                   PreviousSignificant(tokens, colons) is var part and >= 0 && tokens[part].Kind == HclTokenKind.Identifier)
            {
                parts.Insert(0, tokens[part].Text);
                j = part;
            }

            var line = tokens[nameIndex].Line;
            if (parts.Count > 1)
            {
                if (parts[0] == "core" && parts.Count == 2)
                {
                    parts.RemoveAt(0);
                }
                else if (parts[0] == "provider" && parts.Count == 3)
                {
                    var source = SourceOf(parts[1], declared);
                    if (providers.Find(source) is null)
                    {
                        violations.Add(new PolicyViolation(file, line, Rules.Providers, $"{string.Join("::", parts)}: {NotAllowed(source)}"));
                    }

                    continue;
                }
                else
                {
                    violations.Add(new PolicyViolation(file, line, Rules.FileFunctions, $"{string.Join("::", parts)} is not a function namespace OpenTofu has"));
                    continue;
                }
            }

            var name = parts[0];
            if (FileFunctions.Contains(name))
            {
                violations.Add(new PolicyViolation(file, line, Rules.FileFunctions,
                    $"{name}() reads files or renders templates at plan time; a deployment carries only .tf files, so there is nothing of its own to read"));
            }
            else if (name == "pathexpand" && !IsHomePathLiteral(tokens, i))
            {
                violations.Add(new PolicyViolation(file, line, Rules.FileFunctions, "pathexpand() is accepted only on a literal \"~/…\" path without '..'"));
            }
        }
    }

    /// <summary>The one provisioner accepted: <c>mkdir -p</c> of a bucket folder, for a provider whose runs write a folder on this machine.</summary>
    private static bool IsLocalFolderProvisioner(HclBlock provisioner, string environmentProvider) =>
        EmbeddedCatalog.Value.Providers.TryGetValue(environmentProvider, out var provider) && provider.FolderVariable is not null &&
        provisioner.Labels is ["local-exec"] &&
        provisioner.Body.Blocks.Count == 0 &&
        provisioner.Body.Attributes.Select(a => a.Name).Order(StringComparer.Ordinal).SequenceEqual(["command", "interpreter"]) &&
        HclLiterals.StringTuple(provisioner.Body.Attribute("interpreter")!.Expression) is { } interpreter &&
        interpreter.SequenceEqual(LocalFolderInterpreter);

    private static bool IsHomePathLiteral(IReadOnlyList<HclToken> tokens, int openParenthesis)
    {
        var start = NextSignificant(tokens, openParenthesis);
        if (start < 0 || HclLiterals.String(tokens, start, out var next) is not { } path)
        {
            return false;
        }

        var close = NextSignificant(tokens, next - 1);
        return close >= 0 && tokens[close].Is(")") &&
               path.StartsWith("~/", StringComparison.Ordinal) &&
               !path.Split('/').Contains("..");
    }

    /// <summary>The provider a resource's <c>provider = aws.alias</c> names, or null when the attribute is absent.</summary>
    private static string? ProviderReference(HclAttribute? attribute)
    {
        if (attribute is null)
        {
            return null;
        }

        var tokens = attribute.Expression;
        return tokens.Count is 1 or 3 && tokens[0].Kind == HclTokenKind.Identifier && (tokens.Count == 1 || (tokens[1].Is(".") && tokens[2].Kind == HclTokenKind.Identifier))
            ? tokens[0].Text
            : "";
    }

    private static string SourceOf(string localName, Dictionary<string, string> declared) =>
        localName == "terraform" ? ProviderAllowlist.BuiltIn : declared.GetValueOrDefault(localName) ?? $"hashicorp/{localName}";

    private string NotAllowed(string source) =>
        $"the provider {source} is not on the service's allowlist ({string.Join(", ", providers.Providers.Where(p => p.Source != ProviderAllowlist.BuiltIn).Select(p => p.Source).Order(StringComparer.Ordinal))})";

    private static int PreviousSignificant(IReadOnlyList<HclToken> tokens, int index)
    {
        for (var i = index - 1; i >= 0; i--)
        {
            if (tokens[i].Kind != HclTokenKind.Newline)
            {
                return i;
            }
        }

        return -1;
    }

    private static int NextSignificant(IReadOnlyList<HclToken> tokens, int index)
    {
        for (var i = index + 1; i < tokens.Count; i++)
        {
            if (tokens[i].Kind != HclTokenKind.Newline)
            {
                return i;
            }
        }

        return -1;
    }

    private static string Printable(string name) => new([.. name.Select(c => char.IsControl(c) ? '?' : c)]);

    /// <summary>The rules' names, as refusals and docs/platform.md give them.</summary>
    public static class Rules
    {
        public const string FileName = "file-name";
        public const string Size = "size";
        public const string Syntax = "syntax";
        public const string BlockType = "block-type";
        public const string NoModules = "no-modules";
        public const string NoImports = "no-imports";
        public const string NoBackend = "no-backend";
        public const string TerraformSettings = "terraform-settings";
        public const string Providers = "provider-allowlist";
        public const string ProviderConfiguration = "provider-configuration";
        public const string NoProvisioners = "no-provisioners";
        public const string NoExternal = "no-external";
        public const string NoRemoteState = "no-remote-state";
        public const string FileFunctions = "no-file-functions";
    }
}
