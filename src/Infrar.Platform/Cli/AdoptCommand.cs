extern alias analyzers;
extern alias codefixes;

using System.Collections.Immutable;
using System.CommandLine;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Build.Locator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.MSBuild;
using ProviderSdkAnalyzer = analyzers::Infrar.Analyzers.Rules.ProviderSdkAnalyzer;
using ProviderSdkCodeFix = codefixes::Infrar.CodeFixes.ProviderSdkCodeFix;

namespace Infrar.Platform.Cli;

/// <summary>
/// <c>infrar adopt &lt;project or solution&gt; [--dry-run]</c>: moves an app's S3 and Blob calls onto Infrar with the
/// same fix the IDE offers (INFRAR0105), over every document of every project, then builds the result; prints, per
/// file, what moved and what did not and why (the diagnostic's own reason). With <c>--dry-run</c> it prints the diff
/// and writes nothing.
/// </summary>
internal static class AdoptCommand
{
    /// <summary>The code the fix answers, as the analyzer reports it.</summary>
    private static readonly string DiagnosticId = new ProviderSdkAnalyzer().SupportedDiagnostics[0].Id;

    public static Command Create()
    {
        var path = new Argument<FileSystemInfo>("path") { Description = "The project (.csproj), solution (.sln, .slnx) or a folder holding one" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the diff and the report; write nothing, build nothing" };
        var command = new Command("adopt", "Move an app's provider SDK storage calls onto Infrar with the IDE's own fix, across the whole solution, then build it.") { path, dryRun };
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var target = Resolve(parse.GetValue(path)!);
                if (!MSBuildLocator.IsRegistered)
                {
                    MSBuildLocator.RegisterDefaults();
                }

                return await RunAsync(target, parse.GetValue(dryRun), Console.Out, ct);
            }
            catch (InputException e)
            {
                await Console.Error.WriteLineAsync($"infrar adopt: {e.Message}");
                return ExitCodes.BadInput;
            }
        });
        return command;
    }

    /// <summary>The project or solution a path names: itself, or the one solution (else the one project) in a folder.</summary>
    private static string Resolve(FileSystemInfo path)
    {
        if (path is FileInfo { Exists: true } file)
        {
            return file.Extension is ".csproj" or ".sln" or ".slnx" ? file.FullName : throw new InputException($"{file.Name} is not a .csproj, .sln or .slnx file.");
        }

        if (path is not DirectoryInfo { Exists: true } folder)
        {
            throw new InputException($"{path.FullName} does not exist.");
        }

        var solutions = folder.GetFiles("*.sln").Concat(folder.GetFiles("*.slnx")).ToList();
        var projects = folder.GetFiles("*.csproj");
        return (solutions.Count, projects.Length) switch
        {
            (1, _) => solutions[0].FullName,
            (0, 1) => projects[0].FullName,
            (0, 0) => throw new InputException($"{folder.FullName} holds no .sln, .slnx or .csproj file."),
            _ => throw new InputException($"{folder.FullName} holds several solutions or projects; name one."),
        };
    }

    // Kept out of Create: MSBuild's types may load only after the locator has chosen the SDK's MSBuild.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<int> RunAsync(string target, bool dryRun, TextWriter output, CancellationToken cancellationToken)
    {
        // The workspace reads what a restore wrote (project.assets.json): without it no package is referenced.
        await output.WriteLineAsync($"$ dotnet restore {Path.GetFileName(target)}");
        if (await DotnetAsync(["restore", target, "-nologo", "-v:quiet"], cancellationToken) is not 0 and var restoreExit)
        {
            await output.WriteLineAsync($"infrar adopt: dotnet restore exited with {restoreExit}; fix the restore first");
            return ExitCodes.Incomplete;
        }

        using var workspace = MSBuildWorkspace.Create();
        var single = target.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase);
        var solution = single
            ? (await workspace.OpenProjectAsync(target, cancellationToken: cancellationToken)).Solution
            : await workspace.OpenSolutionAsync(target, cancellationToken: cancellationToken);
        foreach (var failure in workspace.Diagnostics.Where(d => d.Kind == WorkspaceDiagnosticKind.Failure))
        {
            await output.WriteLineAsync($"warning: {failure.Message}");
        }

        var analyzer = new ProviderSdkAnalyzer();
        var fix = new ProviderSdkCodeFix();
        var original = solution;
        var moved = 0;
        var left = 0;
        var changed = new List<DocumentId>();
        var report = new StringBuilder();
        var withoutSdk = new List<string>();
        foreach (var projectId in solution.ProjectIds)
        {
            var project = solution.GetProject(projectId)!;
            if (project.Language != LanguageNames.CSharp || (single && !string.Equals(project.FilePath, target, StringComparison.Ordinal)))
            {
                continue;
            }

            var before = await DiagnosticsAsync(project, analyzer, cancellationToken);
            if (before is null)
            {
                if (await UsesProviderSdkAsync(project, cancellationToken))
                {
                    withoutSdk.Add(project.Name);
                }

                continue;
            }

            foreach (var document in project.Documents.Where(d => before.ContainsKey(d.Id)))
            {
                var fixAll = fix.GetFixAllProvider()!;
                var context = new FixAllContext(
                    document, fix, FixAllScope.Document, nameof(ProviderSdkCodeFix), [DiagnosticId], new Diagnostics(before), cancellationToken);
                if (await fixAll.GetFixAsync(context) is { } action)
                {
                    foreach (var operation in await action.GetOperationsAsync(cancellationToken))
                    {
                        if (operation is ApplyChangesOperation apply)
                        {
                            var text = await apply.ChangedSolution.GetDocument(document.Id)!.GetTextAsync(cancellationToken);
                            solution = solution.WithDocumentText(document.Id, text);
                        }
                    }
                }
            }

            // What is left is what the fix did not move, each with the reason its diagnostic gives.
            var after = await DiagnosticsAsync(solution.GetProject(projectId)!, analyzer, cancellationToken) ?? [];
            foreach (var (documentId, found) in before)
            {
                var document = solution.GetDocument(documentId)!;
                var remaining = after.GetValueOrDefault(documentId, []);
                var file = Path.GetRelativePath(Path.GetDirectoryName(target)!, document.FilePath ?? document.Name);
                var movedHere = found.Length - remaining.Length;
                moved += movedHere;
                left += remaining.Length;
                report.AppendLine($"{file}: moved {movedHere} of {found.Length} calls");

                // Lines as the file reads after the move, or as it reads now in a dry run (the same calls, in order, by message).
                var asFound = found.OrderBy(d => d.Location.SourceSpan.Start).GroupBy(Message).ToDictionary(g => g.Key, g => new Queue<Diagnostic>(g));
                foreach (var diagnostic in remaining.OrderBy(d => d.Location.SourceSpan.Start))
                {
                    var shown = dryRun && asFound.TryGetValue(Message(diagnostic), out var same) && same.Count > 0 ? same.Dequeue() : diagnostic;
                    report.AppendLine($"  line {shown.Location.GetLineSpan().StartLinePosition.Line + 1}: {Message(diagnostic)}");
                }

                if (movedHere > 0)
                {
                    changed.Add(documentId);
                }
            }
        }

        if (dryRun)
        {
            foreach (var documentId in changed)
            {
                var file = solution.GetDocument(documentId)!.FilePath!;
                var was = (await original.GetDocument(documentId)!.GetTextAsync(cancellationToken)).ToString();
                var now = (await solution.GetDocument(documentId)!.GetTextAsync(cancellationToken)).ToString();
                await output.WriteAsync(LineDiff.Unified(Path.GetRelativePath(Path.GetDirectoryName(target)!, file), was, now));
            }
        }

        await output.WriteAsync(report.ToString());
        foreach (var name in withoutSdk)
        {
            await output.WriteLineAsync($"{name}: not looked at: it does not reference Infrar.Sdk (dotnet add package Infrar.Sdk, then adopt again)");
        }

        await output.WriteLineAsync($"moved {moved} calls onto Infrar; {left} left, each with why above{(dryRun ? "; nothing written (--dry-run)" : "")}");
        if (dryRun || changed.Count == 0)
        {
            return withoutSdk.Count > 0 && moved + left == 0 ? ExitCodes.BadInput : ExitCodes.Success;
        }

        // Each file is replaced whole: written beside, then moved over the original.
        foreach (var documentId in changed)
        {
            var document = solution.GetDocument(documentId)!;
            var text = await document.GetTextAsync(cancellationToken);
            var temporary = document.FilePath + ".infrar-adopt";
            await File.WriteAllTextAsync(temporary, text.ToString(), text.Encoding ?? new UTF8Encoding(false), cancellationToken);
            File.Move(temporary, document.FilePath!, overwrite: true);
            await output.WriteLineAsync($"wrote {Path.GetRelativePath(Path.GetDirectoryName(target)!, document.FilePath!)}");
        }

        await output.WriteLineAsync($"$ dotnet build {Path.GetFileName(target)}");
        var built = await DotnetAsync(["build", target, "-nologo", "-v:minimal", "-clp:NoSummary"], cancellationToken);
        await output.WriteLineAsync(built == 0 ? "the adopted app builds" : $"the adopted app does not build (dotnet build exited with {built}); the changes are written, review them with your version control");
        return built == 0 ? ExitCodes.Success : ExitCodes.Incomplete;
    }

    private static async Task<int> DotnetAsync(string[] arguments, CancellationToken cancellationToken)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("dotnet", arguments) { UseShellExecute = false })!;
        await process.WaitForExitAsync(cancellationToken);
        return process.ExitCode;
    }

    /// <summary>Whether a project references a provider's storage SDK, as the catalog names them (then it has calls to move once it references Infrar.Sdk).</summary>
    private static async Task<bool> UsesProviderSdkAsync(Project project, CancellationToken cancellationToken)
    {
        var sdks = Infrar.Generators.Catalog.EmbeddedCatalog.Value.Clouds
            .SelectMany(cloud => cloud.Storage?.Packages.Select(package => package.Assembly) ?? [])
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);
        return (await project.GetCompilationAsync(cancellationToken))!.ReferencedAssemblyNames.Any(a => sdks.Contains(a.Name));
    }

    private static string Message(Diagnostic diagnostic) => diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>INFRAR0105 diagnostics of a project by document; null when the project does not reference Infrar.Sdk (the analyzer is silent there).</summary>
    private static async Task<Dictionary<DocumentId, ImmutableArray<Diagnostic>>?> DiagnosticsAsync(Project project, DiagnosticAnalyzer analyzer, CancellationToken cancellationToken)
    {
        var compilation = (await project.GetCompilationAsync(cancellationToken))!;
        if (compilation.GetTypeByMetadataName("Infrar.Storage") is null)
        {
            return null;
        }

        var diagnostics = await compilation.WithAnalyzers([analyzer], project.AnalyzerOptions).GetAnalyzerDiagnosticsAsync(cancellationToken);
        return diagnostics
            .Where(d => d.Id == DiagnosticId && d.Location.IsInSource)
            .GroupBy(d => project.GetDocumentId(d.Location.SourceTree!))
            .Where(g => g.Key is not null)
            .ToDictionary(g => g.Key!, g => g.ToImmutableArray());
    }

    /// <summary>Hands the fix the diagnostics already computed for each document.</summary>
    private sealed class Diagnostics(Dictionary<DocumentId, ImmutableArray<Diagnostic>> found) : FixAllContext.DiagnosticProvider
    {
        public override Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken) =>
            Task.FromResult<IEnumerable<Diagnostic>>(found.GetValueOrDefault(document.Id, []));

        public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult(Enumerable.Empty<Diagnostic>());

        public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult<IEnumerable<Diagnostic>>([.. found.Values.SelectMany(d => d)]);
    }
}

/// <summary>A unified diff of two texts by lines (longest common subsequence), with three lines of context.</summary>
internal static class LineDiff
{
    public static string Unified(string name, string before, string after)
    {
        var a = before.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var b = after.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var common = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                common[i, j] = a[i] == b[j] ? common[i + 1, j + 1] + 1 : Math.Max(common[i + 1, j], common[i, j + 1]);
            }
        }

        // Each line: ' ' kept, '-' removed, '+' added, with its line numbers on each side.
        var lines = new List<(char Kind, string Text, int A, int B)>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                lines.Add((' ', a[x], x++, y++));
            }
            else if (x < a.Length && (y == b.Length || common[x + 1, y] >= common[x, y + 1]))
            {
                lines.Add(('-', a[x], x++, y));
            }
            else
            {
                lines.Add(('+', b[y], x, y++));
            }
        }

        var text = new StringBuilder($"--- a/{name}\n+++ b/{name}\n");
        var index = 0;
        while (index < lines.Count)
        {
            var change = lines.FindIndex(index, l => l.Kind != ' ');
            if (change < 0)
            {
                break;
            }

            var start = Math.Max(index, change - 3);
            var end = change;
            while (true)
            {
                var next = lines.FindIndex(end, l => l.Kind != ' ');
                if (next < 0 || next > end + 6)
                {
                    break;
                }

                end = lines.FindIndex(next, l => l.Kind == ' ') is var kept and >= 0 ? kept : lines.Count;
            }

            end = Math.Min(lines.Count, end + 3);
            var hunk = lines.GetRange(start, end - start);
            text.Append($"@@ -{hunk[0].A + 1},{hunk.Count(l => l.Kind != '+')} +{hunk[0].B + 1},{hunk.Count(l => l.Kind != '-')} @@\n");
            foreach (var line in hunk)
            {
                text.Append(line.Kind).Append(line.Text).Append('\n');
            }

            index = end;
        }

        return text.ToString();
    }
}
