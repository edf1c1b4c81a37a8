using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using Infrar.Analyzers;
using Infrar.Analyzers.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Infrar.CodeFixes;

/// <summary>INFRAR0102: renames the bucket to a name every provider accepts.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(InvalidNameCodeFix)), Shared]
public sealed class InvalidNameCodeFix : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = [Descriptors.InvalidName.Id];

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            var literal = (node as ArgumentSyntax)?.Expression as LiteralExpressionSyntax ?? node as LiteralExpressionSyntax;
            if (literal is null || !diagnostic.Properties.TryGetValue(InvalidNameAnalyzer.SuggestedName, out var suggested) || suggested is null)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Rename the bucket to '{suggested}'",
                    _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(literal, SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(suggested)).WithTriviaFrom(literal)))),
                    equivalenceKey: nameof(InvalidNameCodeFix)),
                diagnostic);
        }
    }
}
