using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Infrar.Analyzers;
using Infrar.Analyzers.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Infrar.CodeFixes;

/// <summary>
/// INFRAR0105: moves a provider SDK call onto Infrar with the same arguments and meaning, when the bucket or container
/// name is a constant: S3 puts, gets, heads, exists checks, listings, deletes, copies and signed URLs, TransferUtility's
/// transfers, and Blob Storage's uploads, downloads, properties, existence, listings, deletes, copies and SAS URLs,
/// following what the code reads from each response (docs/rules/INFRAR0105.md has the table). A put's stream is closed
/// after it as S3 closed it; a catch of "not found" around the calls becomes Infrar's; the request variables, the
/// responses and the clients the move leaves unused go. What is fixed, and why the rest is not, is decided once, in
/// <see cref="ProviderSdkRewrite"/>, whose reasons the diagnostic's message carries; this class writes its edits.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ProviderSdkCodeFix)), Shared]
public sealed class ProviderSdkCodeFix : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = [Descriptors.ProviderSdk.Id];

    /// <summary>Rewrites every fixable call of a document in one pass and adds <c>using Infrar;</c> once.</summary>
    public override FixAllProvider GetFixAllProvider() => FixAllProvider.Create(async (context, document, diagnostics) =>
    {
        var root = await document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return null;
        }

        var rewrites = new List<Rewritten>();
        foreach (var diagnostic in diagnostics)
        {
            if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is InvocationExpressionSyntax invocation
                && Rewrite(invocation, model, context.CancellationToken) is { } rewrite)
            {
                rewrites.Add(rewrite);
            }
        }

        return rewrites.Count == 0 ? document : Apply(document, root, model, rewrites, context.CancellationToken);
    });

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not InvocationExpressionSyntax invocation
                || Rewrite(invocation, model, context.CancellationToken) is not { } rewrite)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    "Use Infrar storage",
                    cancellationToken => Task.FromResult(Apply(context.Document, root, model, [rewrite], cancellationToken)),
                    equivalenceKey: nameof(ProviderSdkCodeFix)),
                diagnostic);
        }
    }

    /// <summary>
    /// What one call's fix changes: each node replaced by its new node, or removed when that is null (the request
    /// variable, the lines that filled it, the response the call made useless).
    /// </summary>
    private sealed record Rewritten(ImmutableArray<(SyntaxNode Original, SyntaxNode? Replacement)> Edits, ImmutableArray<string> Usings);

    private static Document Apply(Document document, SyntaxNode root, SemanticModel model, IReadOnlyList<Rewritten> rewrites, CancellationToken cancellationToken)
    {
        var edits = rewrites.SelectMany(r => r.Edits).ToList();
        var clients = ClientDeclarations(edits.Select(e => e.Original), model, cancellationToken);
        var edited = root.TrackNodes(edits.Select(e => e.Original).Concat(clients));
        foreach (var (original, replacement) in edits)
        {
            // Two calls' fixes may remove the same line (a shared response's reads): the first one wins.
            if (edited.GetCurrentNode(original) is not { } current)
            {
                continue;
            }

            // A top-level statement goes with the global statement that holds it.
            edited = replacement is null ? edited.RemoveNode(current.Parent is GlobalStatementSyntax global ? global : current, SyntaxRemoveOptions.KeepNoTrivia)!
                : edited.ReplaceNode(current, replacement);
        }

        edited = WithInfrarUsing(WithoutUnusedClients(edited, clients));
        foreach (var name in rewrites.SelectMany(r => r.Usings).Distinct())
        {
            edited = WithUsing(edited, name);
        }

        return document.WithSyntaxRoot(edited);
    }

    /// <summary>
    /// The declarations, in the methods the fix edits, of locals that hold a provider client or request made there
    /// (<c>var s3 = new AmazonS3Client();</c>, <c>var container = service.GetBlobContainerClient("photos");</c>): the
    /// fix removes those no code names any more.
    /// </summary>
    private static List<LocalDeclarationStatementSyntax> ClientDeclarations(IEnumerable<SyntaxNode> edited, SemanticModel model, CancellationToken cancellationToken) =>
        edited.Select(node => (SyntaxNode?)node.FirstAncestorOrSelf<BaseMethodDeclarationSyntax>()?.Body ?? node.FirstAncestorOrSelf<GlobalStatementSyntax>()?.Parent).OfType<SyntaxNode>().Distinct()
            .SelectMany(body => body is CompilationUnitSyntax unit
                ? unit.Members.OfType<GlobalStatementSyntax>().Select(g => g.Statement).OfType<LocalDeclarationStatementSyntax>()
                : body.DescendantNodes().OfType<LocalDeclarationStatementSyntax>())
            .Where(statement => statement.Declaration.Variables.Count == 1
                && statement.Declaration.Variables[0].Initializer?.Value is var value
                && (value is BaseObjectCreationExpressionSyntax
                    || (value is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: var made } }
                        && made.StartsWith("Get", System.StringComparison.Ordinal) && made.EndsWith("Client", System.StringComparison.Ordinal)))
                && model.GetDeclaredSymbol(statement.Declaration.Variables[0], cancellationToken) is ILocalSymbol { Type: INamedTypeSymbol type }
                && ProviderSdkAnalyzer.ProviderOf(type) is not null)
            .ToList();

    /// <summary>Removes the client declarations whose local no code names any more, until none is left to remove (a blob client first, then its container).</summary>
    private static SyntaxNode WithoutUnusedClients(SyntaxNode root, List<LocalDeclarationStatementSyntax> clients)
    {
        for (var removed = true; removed;)
        {
            removed = false;
            foreach (var client in clients)
            {
                if (root.GetCurrentNode(client) is not { Parent: BlockSyntax or GlobalStatementSyntax } current)
                {
                    continue;
                }

                // Named nowhere in its block, or, for a top-level statement, in its file.
                var (scope, statement) = current.Parent is GlobalStatementSyntax global ? (global.Parent!, (SyntaxNode)global) : (current.Parent!, current);
                var name = current.Declaration.Variables[0].Identifier.ValueText;
                if (!scope.DescendantNodes().OfType<IdentifierNameSyntax>().Any(n => n.Identifier.ValueText == name))
                {
                    root = root.RemoveNode(statement, SyntaxRemoveOptions.KeepNoTrivia)!;
                    removed = true;
                }
            }
        }

        return root;
    }

    private static Rewritten? Rewrite(InvocationExpressionSyntax invocation, SemanticModel model, CancellationToken cancellationToken)
    {
        var plan = ProviderSdkRewrite.Plan(invocation, model, cancellationToken);
        if (plan.WhyNot is not null)
        {
            return null;
        }

        var edits = ImmutableArray.CreateBuilder<(SyntaxNode, SyntaxNode?)>();
        foreach (var (node, text) in plan.Edits)
        {
            edits.Add((node, text is null ? null : Parse(node, text)));
        }

        if (plan.Unused is { } unused)
        {
            edits.Add((unused, null));
        }

        if (plan.Code is not { } code)
        {
            return new Rewritten(edits.ToImmutable(), plan.Usings);
        }

        var call = SyntaxFactory.ParseExpression(code).WithTriviaFrom(invocation);
        if (plan.CloseAfter is null && plan.Discarded is null)
        {
            edits.Insert(0, (invocation, call));
            return new Rewritten(edits.ToImmutable(), plan.Usings);
        }

        // A response nobody read goes with its local: the statement is the awaited Infrar call alone.
        StatementSyntax statement = (StatementSyntax?)plan.Discarded ?? invocation.FirstAncestorOrSelf<ExpressionStatementSyntax>()!;
        StatementSyntax moved = plan.Discarded is { } declaration
            ? SyntaxFactory.ExpressionStatement(declaration.Declaration.Variables[0].Initializer!.Value.ReplaceNode(invocation, call).WithoutTrivia()).WithTriviaFrom(declaration)
            : statement.ReplaceNode(invocation, call);
        if (plan.CloseAfter is not { } closeAfter)
        {
            edits.Insert(0, (statement, moved));
            return new Rewritten(edits.ToImmutable(), plan.Usings);
        }

        // S3 closed the request's stream when the put ended (AutoCloseStream); Infrar leaves it to its owner, so the fix
        // closes it there, as S3 did, whether the put succeeds or fails.
        var body = moved.WithoutLeadingTrivia().WithoutTrailingTrivia();
        var owned = SyntaxFactory.UsingStatement(SyntaxFactory.Block(body))
            .WithAwaitKeyword(SyntaxFactory.Token(SyntaxKind.AwaitKeyword))
            .WithExpression(closeAfter.WithoutTrivia())
            .WithTriviaFrom(statement)
            .WithAdditionalAnnotations(Microsoft.CodeAnalysis.Formatting.Formatter.Annotation);
        edits.Insert(0, (statement, owned));
        return new Rewritten(edits.ToImmutable(), plan.Usings);
    }

    /// <summary>A replacement's text as the kind of node it replaces, with the original's trivia; laid out as the file is when it spans lines.</summary>
    private static SyntaxNode Parse(SyntaxNode original, string text) =>
        (original switch
        {
            StatementSyntax => SyntaxFactory.ParseStatement(text),
            CatchClauseSyntax => ((TryStatementSyntax)SyntaxFactory.ParseStatement("try { } " + text)).Catches[0],
            _ => (SyntaxNode)SyntaxFactory.ParseExpression(text),
        }).WithTriviaFrom(original) is var parsed && text.Contains("\n")
            ? parsed.WithAdditionalAnnotations(Microsoft.CodeAnalysis.Formatting.Formatter.Annotation)
            : parsed;

    /// <summary>Adds <c>using Infrar;</c> unless it is there, or unless the fix wrote qualified names because one would be ambiguous.</summary>
    private static SyntaxNode WithInfrarUsing(SyntaxNode root) =>
        root.ToString().Contains("global::Infrar.Storage.Bucket(") ? root : WithUsing(root, "Infrar");

    /// <summary>Adds <c>using &lt;name&gt;;</c> after the file's usings, unless it is there.</summary>
    private static SyntaxNode WithUsing(SyntaxNode root, string name) =>
        root is CompilationUnitSyntax unit && unit.Usings.All(u => u.Name?.ToString() != name)
            ? unit.AddUsings(SyntaxFactory.UsingDirective(SyntaxFactory.ParseName(name))
                .WithTrailingTrivia(unit.Usings.LastOrDefault()?.GetTrailingTrivia() ?? SyntaxFactory.TriviaList(SyntaxFactory.ElasticLineFeed)))
            : root;
}
