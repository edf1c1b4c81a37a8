using System.Text.RegularExpressions;
using Infrar.Generators.Diagnostics;
using Infrar.Testing;
using Xunit;

namespace Infrar.Generators.Tests;

/// <summary>One table of INFRAR codes (<see cref="InfrarCodes"/>): every component takes its codes from it, and each code has its page.</summary>
public sealed partial class CodesTests
{
    private static readonly string Source = Path.Combine(RepositoryRoot.Path, "src");

    [Fact]
    public void Every_code_in_the_sources_is_in_the_table_and_has_its_page()
    {
        var table = InfrarCodes.All.Select(c => c.Key).ToHashSet();
        var used = Files("*.cs", "*.targets", "*.props")
            .SelectMany(file => Code().Matches(File.ReadAllText(file)).Select(m => (File: Path.GetRelativePath(RepositoryRoot.Path, file), Code: m.Value)))
            .ToList();

        Assert.All(used, use => Assert.True(table.Contains(use.Code), $"{use.File} uses {use.Code}, which InfrarCodes does not list"));
        Assert.All(table, code => Assert.True(File.Exists(Path.Combine(RepositoryRoot.Path, "docs", "rules", code + ".md")), $"{code} has no page under docs/rules/"));
        Assert.All(table, code => Assert.Contains($"[{code}](docs/rules/{code}.md)", File.ReadAllText(Path.Combine(RepositoryRoot.Path, "README.md")), StringComparison.Ordinal));
    }

    [Fact]
    public void No_component_writes_a_code_of_its_own()
    {
        var literals = Files("*.cs")
            .Where(file => Path.GetFileName(file) != "InfrarCodes.cs")
            .SelectMany(file => CodeLiteral().Matches(File.ReadAllText(file)).Select(m => $"{Path.GetRelativePath(RepositoryRoot.Path, file)}: {m.Value}"))
            .ToList();

        Assert.Empty(literals);
    }

    [Fact]
    public void The_build_targets_link_each_code_to_its_page()
    {
        var targets = File.ReadAllText(Path.Combine(Source, "Infrar.Build", "build", "Infrar.Sdk.targets"));
        var errors = TargetError().Matches(targets).ToList();

        Assert.NotEmpty(errors);
        Assert.All(errors, error => Assert.Equal(InfrarCodes.HelpLink(error.Groups["code"].Value), error.Groups["link"].Value));
    }

    private static IEnumerable<string> Files(params string[] patterns) =>
        patterns.SelectMany(pattern => Directory.EnumerateFiles(Source, pattern, SearchOption.AllDirectories))
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    [GeneratedRegex(@"INFRAR\d{4}")]
    private static partial Regex Code();

    [GeneratedRegex(@"""INFRAR\d{4}""")]
    private static partial Regex CodeLiteral();

    [GeneratedRegex(@"Code=""(?<code>INFRAR\d{4})""[^/]*?HelpLink=""(?<link>[^""]+)""", RegexOptions.Singleline)]
    private static partial Regex TargetError();
}
