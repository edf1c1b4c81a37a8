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
/// INFRAR0105: moves a provider SDK call onto Infrar with the same arguments and meaning. Rewritten when the bucket or
/// container name is a constant and the call's result is not used: <c>IAmazonS3.PutObjectAsync</c> (InputStream,
/// ContentBody or FilePath, with ContentType), <c>DeleteObjectAsync</c>, <c>CopyObjectAsync</c>, with their arguments or a
/// request object made inline or in a variable used by nothing else (which then goes);
/// <c>BlobContainerClient.UploadBlobAsync</c> and <c>DeleteBlobIfExistsAsync</c>; <c>BlobClient.UploadAsync</c> (a stream or
/// a file, overwrite or not) and <c>DeleteIfExistsAsync</c> on <c>container.GetBlobClient(name)</c>. A put's stream is closed after it as
/// S3 closed it; a call whose provider exceptions a <c>catch</c> handles is left alone. What is fixed, and why the
/// rest is not, is decided once, in <see cref="ProviderSdkRewrite"/>, whose reasons the diagnostic's message carries.
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

        return rewrites.Count == 0 ? document : Apply(document, root, rewrites);
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
                    _ => Task.FromResult(Apply(context.Document, root, [rewrite])),
                    equivalenceKey: nameof(ProviderSdkCodeFix)),
                diagnostic);
        }
    }

    /// <summary>
    /// The node the fix replaces (the call, or its statement when the stream must be closed after it), what replaces it,
    /// and the declaration of a request variable the call was the only use of, which goes too.
    /// </summary>
    private sealed record Rewritten(SyntaxNode Original, SyntaxNode Replacement, StatementSyntax? Unused = null);

    private static Document Apply(Document document, SyntaxNode root, IReadOnlyList<Rewritten> rewrites)
    {
        var unused = rewrites.Select(r => r.Unused).OfType<StatementSyntax>().ToList();
        var edited = root.TrackNodes(rewrites.Select(r => r.Original).Concat(unused));
        foreach (var rewrite in rewrites)
        {
            edited = edited.ReplaceNode(edited.GetCurrentNode(rewrite.Original)!, rewrite.Replacement);
        }

        foreach (var statement in unused)
        {
            edited = edited.RemoveNode(edited.GetCurrentNode(statement)!, SyntaxRemoveOptions.KeepNoTrivia)!;
        }

        return document.WithSyntaxRoot(WithInfrarUsing(edited));
    }

    private static Rewritten? Rewrite(InvocationExpressionSyntax invocation, SemanticModel model, CancellationToken cancellationToken)
    {
        var plan = ProviderSdkRewrite.Plan(invocation, model, cancellationToken);
        if (plan.Code is not { } code)
        {
            return null;
        }

        var call = SyntaxFactory.ParseExpression(code).WithTriviaFrom(invocation);
        if (plan.CloseAfter is not { } closeAfter)
        {
            return new Rewritten(invocation, call, plan.Unused);
        }

        // S3 closed the request's stream when the put ended (AutoCloseStream); Infrar leaves it to its owner, so the fix
        // closes it there, as S3 did, whether the put succeeds or fails.
        var statement = invocation.FirstAncestorOrSelf<ExpressionStatementSyntax>()!;
        var body = statement.ReplaceNode(invocation, call).WithoutLeadingTrivia().WithoutTrailingTrivia();
        var owned = SyntaxFactory.UsingStatement(SyntaxFactory.Block(body))
            .WithAwaitKeyword(SyntaxFactory.Token(SyntaxKind.AwaitKeyword))
            .WithExpression(closeAfter.WithoutTrivia())
            .WithTriviaFrom(statement)
            .WithAdditionalAnnotations(Microsoft.CodeAnalysis.Formatting.Formatter.Annotation);
        return new Rewritten(statement, owned, plan.Unused);
    }

    /// <summary>Adds <c>using Infrar;</c> unless it is there, or unless the fix wrote qualified names because one would be ambiguous.</summary>
    private static SyntaxNode WithInfrarUsing(SyntaxNode root) =>
        root is CompilationUnitSyntax unit && unit.Usings.All(u => u.Name?.ToString() != "Infrar") && !root.ToString().Contains("global::Infrar.Storage.Bucket(")
            ? unit.AddUsings(SyntaxFactory.UsingDirective(SyntaxFactory.ParseName("Infrar"))
                .WithTrailingTrivia(unit.Usings.LastOrDefault()?.GetTrailingTrivia() ?? SyntaxFactory.TriviaList(SyntaxFactory.ElasticLineFeed)))
            : root;
}
