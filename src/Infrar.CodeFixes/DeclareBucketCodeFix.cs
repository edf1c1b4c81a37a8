using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Infrar.Analyzers;
using Infrar.Analyzers.Rules;
using Infrar.Naming;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;

namespace Infrar.CodeFixes;

/// <summary>
/// INFRAR0105, when the bucket or container comes from a field, property, parameter or local (configuration, say):
/// declares the bucket once, as a constant logical name in the class, and names it by that constant in every provider
/// call of the class that used the same value. Its physical name then comes from <c>INFRAR_BUCKET_&lt;NAME&gt;</c>, as
/// the comment the fix writes says, and the calls become ones "Use Infrar storage" moves. A choice, so it is offered
/// call by call and not in Fix All: it is only right when that value always named one bucket.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(DeclareBucketCodeFix)), Shared]
public sealed class DeclareBucketCodeFix : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = [Descriptors.ProviderSdk.Id];

    /// <summary>None: which value names one bucket is the user's call, made once per bucket.</summary>
    public override FixAllProvider? GetFixAllProvider() => null;

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
                || invocation.FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { } type
                || Source(invocation, model, context.CancellationToken) is not { } source
                || Declaration(type, source, model, context.CancellationToken) is not var (logical, constant, declared))
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Declare the bucket as a constant: \"{logical}\" (its physical name from {ResourceNames.BucketEnvironmentVariable(logical)})",
                    cancellationToken => Task.FromResult(context.Document.WithSyntaxRoot(Apply(root, type, source, constant, declared, model, cancellationToken))),
                    equivalenceKey: nameof(DeclareBucketCodeFix)),
                diagnostic);
        }
    }

    /// <summary>The field, property, parameter or local of type string that names the call's bucket, when it is not a constant.</summary>
    private static ISymbol? Source(InvocationExpressionSyntax invocation, SemanticModel model, CancellationToken cancellationToken) =>
        ProviderSdkRewrite.BucketNames(invocation, model, cancellationToken)
            .Where(name => name is IdentifierNameSyntax or MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax } && !model.GetConstantValue(name, cancellationToken).HasValue)
            .Select(name => model.GetSymbolInfo(name, cancellationToken).Symbol)
            .FirstOrDefault(symbol => symbol is IFieldSymbol { Type.SpecialType: SpecialType.System_String }
                or IPropertySymbol { Type.SpecialType: SpecialType.System_String }
                or IParameterSymbol { Type.SpecialType: SpecialType.System_String }
                or ILocalSymbol { Type.SpecialType: SpecialType.System_String });

    /// <summary>
    /// The logical name (from the source's name, else the class's: <c>_photosBucket</c> → <c>photos</c>), the constant's
    /// name, and the new declaration (null when the class declares that constant with that value already); null when the
    /// class has another member of the constant's name.
    /// </summary>
    private static (string Logical, string Constant, FieldDeclarationSyntax? Declared)? Declaration(TypeDeclarationSyntax type, ISymbol source, SemanticModel model, CancellationToken cancellationToken)
    {
        var logical = Kebab(StripSuffixes(source.Name.TrimStart('_')));
        if (logical.Length < 3)
        {
            logical = Kebab(type.Identifier.ValueText);
        }

        var constant = Pascal(logical) + "Bucket";
        if (model.GetDeclaredSymbol(type, cancellationToken) is not { } owner)
        {
            return null;
        }

        var existing = owner.GetMembers(constant).FirstOrDefault();
        if (existing is IFieldSymbol { IsConst: true, ConstantValue: string value } && value == logical)
        {
            return (logical, constant, null);
        }

        if (existing is not null)
        {
            return null;
        }

        // On one line: the comment is a line comment, and an initializer written over lines would spill out of it.
        var was = source.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is VariableDeclaratorSyntax { Initializer.Value: var initial }
            ? $"{source.Name} ({System.Text.RegularExpressions.Regex.Replace(initial.ToString(), @"\s+", " ")}) named it"
            : $"{source.Name} named it";
        var declared = SyntaxFactory.ParseMemberDeclaration(
                $"// Infrar declares this bucket; its physical name comes from {ResourceNames.BucketEnvironmentVariable(logical)}, where {was} before.\n" +
                $"private const string {constant} = \"{logical}\";\n")!
            .WithAdditionalAnnotations(Formatter.Annotation);
        return (logical, constant, (FieldDeclarationSyntax)declared);
    }

    /// <summary>Names the bucket by the constant in every provider call of the class that named it by the source, and declares the constant first in the class.</summary>
    private static SyntaxNode Apply(SyntaxNode root, TypeDeclarationSyntax type, ISymbol source, string constant, FieldDeclarationSyntax? declared, SemanticModel model, CancellationToken cancellationToken)
    {
        var uses = type.DescendantNodes().OfType<InvocationExpressionSyntax>()
            .Where(call => model.GetSymbolInfo(call, cancellationToken).Symbol is IMethodSymbol method && ProviderSdkAnalyzer.ProviderOf(method.ContainingType) is not null)
            .SelectMany(call => ProviderSdkRewrite.BucketNames(call, model, cancellationToken))
            .Where(name => SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, cancellationToken).Symbol, source))
            .Distinct()
            .ToList();
        var edited = type.ReplaceNodes(uses, (original, _) => SyntaxFactory.IdentifierName(constant).WithTriviaFrom(original));
        if (declared is not null)
        {
            edited = edited.WithMembers(edited.Members.Insert(0, declared.WithLeadingTrivia(declared.GetLeadingTrivia().Insert(0, SyntaxFactory.ElasticMarker))));
        }

        return root.ReplaceNode(type, edited);
    }

    private static string StripSuffixes(string name)
    {
        foreach (var suffix in new[] { "BucketName", "ContainerName", "Bucket", "Container", "Name" })
        {
            if (name.Length > suffix.Length && name.EndsWith(suffix, System.StringComparison.OrdinalIgnoreCase))
            {
                return name.Substring(0, name.Length - suffix.Length);
            }
        }

        return name is "bucket" or "container" or "name" ? "" : name;
    }

    /// <summary><c>photosArchive</c> → <c>photos-archive</c>: lower case, words by hyphens, nothing a bucket name refuses.</summary>
    private static string Kebab(string name)
    {
        var kebab = new StringBuilder();
        foreach (var c in name)
        {
            if (char.IsUpper(c) && kebab.Length > 0 && kebab[kebab.Length - 1] != '-')
            {
                kebab.Append('-');
            }

            kebab.Append(char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-');
        }

        return kebab.ToString().Trim('-');
    }

    private static string Pascal(string kebab) =>
        string.Concat(kebab.Split('-').Where(part => part.Length > 0).Select(part => char.ToUpperInvariant(part[0]) + part.Substring(1)));
}
