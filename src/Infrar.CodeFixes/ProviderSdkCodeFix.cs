using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Infrar.Analyzers;
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
/// S3 closed it; a call whose provider exceptions a <c>catch</c> handles is left alone.
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
        if (model.GetSymbolInfo(invocation, cancellationToken).Symbol is not IMethodSymbol method
            || !ResultIsDiscarded(invocation)
            || CatchesProviderErrors(invocation, model, cancellationToken))
        {
            return null;
        }

        // Infrar's names, qualified where the code already sees another type by one of them (its own Storage, say).
        var p = Qualify(model, invocation.SpanStart) ? "global::Infrar." : "";

        var arguments = invocation.ArgumentList.Arguments;
        string Text(string parameter) => arguments.First(a => Parameter(a, method)?.Name == parameter).Expression.ToString();
        bool Has(string parameter) => arguments.Any(a => Parameter(a, method)?.Name == parameter);
        bool Constant(string parameter) => Has(parameter) && model.GetConstantValue(arguments.First(a => Parameter(a, method)?.Name == parameter).Expression, cancellationToken).HasValue;
        var token = Has("cancellationToken") ? ", " + Text("cancellationToken") : "";
        StatementSyntax? unused = null;

        // A request object: made inline, or in a local the call is the only use of (its declaration then goes too).
        bool Request(out Dictionary<string, ExpressionSyntax>? values)
        {
            values = null;
            if (!Has("request") || arguments.First(a => Parameter(a, method)?.Name == "request").Expression is not { } request)
            {
                return false;
            }

            if (request is IdentifierNameSyntax && RequestVariable(request, invocation, model, cancellationToken) is { } declared)
            {
                (request, unused) = declared;
            }

            values = Initializer(request);
            return values is not null;
        }

        string? ConstantValue(Dictionary<string, ExpressionSyntax> values, string name) =>
            values.TryGetValue(name, out var value) ? model.GetConstantValue(value, cancellationToken).Value as string : null;

        // BlobClient.UploadAsync's overwrite: false unless given, and then only as a constant.
        bool? Overwrite() =>
            !Has("overwrite") ? false
            : model.GetConstantValue(arguments.First(a => Parameter(a, method)?.Name == "overwrite").Expression, cancellationToken) is { HasValue: true, Value: bool value } ? value
            : null;

        static bool Exactly(Dictionary<string, ExpressionSyntax> values, params string[] names) =>
            values.Keys.All(names.Contains) && names.All(values.ContainsKey);

        var type = method.ContainingType.ToDisplayString();
        ExpressionSyntax? closeAfter = null;
        string? code = (type, method.Name) switch
        {
            ("Amazon.S3.IAmazonS3" or "Amazon.S3.AmazonS3Client", "DeleteObjectAsync") when Constant("bucketName") && Has("key") && method.Parameters.Length <= 3 =>
                $"{p}Storage.Bucket({Text("bucketName")}).DeleteAsync({Text("key")}{token})",
            ("Amazon.S3.IAmazonS3" or "Amazon.S3.AmazonS3Client", "CopyObjectAsync") when Constant("sourceBucket") && Constant("destinationBucket") && method.Parameters.Length <= 5 =>
                model.GetConstantValue(arguments.First(a => Parameter(a, method)?.Name == "sourceBucket").Expression).Value as string
                    == model.GetConstantValue(arguments.First(a => Parameter(a, method)?.Name == "destinationBucket").Expression).Value as string
                    ? $"{p}Storage.Bucket({Text("sourceBucket")}).CopyAsync({Text("sourceKey")}, {Text("destinationKey")}{token})"
                    : $"{p}Storage.Bucket({Text("sourceBucket")}).CopyToAsync({Text("sourceKey")}, {p}Storage.Bucket({Text("destinationBucket")}), {Text("destinationKey")}{token})",
            ("Amazon.S3.IAmazonS3" or "Amazon.S3.AmazonS3Client", "PutObjectAsync") when Request(out var values) =>
                PutObject(values!, model, token, p, cancellationToken, out closeAfter),
            ("Amazon.S3.IAmazonS3" or "Amazon.S3.AmazonS3Client", "DeleteObjectAsync") when Request(out var values)
                && Exactly(values!, "BucketName", "Key") && ConstantValue(values!, "BucketName") is not null =>
                $"{p}Storage.Bucket({values!["BucketName"]}).DeleteAsync({values["Key"]}{token})",
            ("Amazon.S3.IAmazonS3" or "Amazon.S3.AmazonS3Client", "CopyObjectAsync") when Request(out var values)
                && Exactly(values!, "SourceBucket", "SourceKey", "DestinationBucket", "DestinationKey")
                && ConstantValue(values!, "SourceBucket") is { } source && ConstantValue(values!, "DestinationBucket") is { } destination =>
                source == destination
                    ? $"{p}Storage.Bucket({values!["SourceBucket"]}).CopyAsync({values["SourceKey"]}, {values["DestinationKey"]}{token})"
                    : $"{p}Storage.Bucket({values!["SourceBucket"]}).CopyToAsync({values["SourceKey"]}, {p}Storage.Bucket({values["DestinationBucket"]}), {values["DestinationKey"]}{token})",
            ("Azure.Storage.Blobs.BlobContainerClient", "DeleteBlobIfExistsAsync") when method.Parameters.Length <= 4 && Only(arguments, method, "blobName", "cancellationToken")
                && ContainerName(Receiver(invocation), model, cancellationToken) is { } container =>
                $"{p}Storage.Bucket({container}).DeleteAsync({Text("blobName")}{token})",
            ("Azure.Storage.Blobs.BlobContainerClient", "UploadBlobAsync") when Only(arguments, method, "blobName", "content", "cancellationToken")
                && method.Parameters.Any(p => p.Name == "content" && p.Type.ToDisplayString() == "System.IO.Stream")
                && ContainerName(Receiver(invocation), model, cancellationToken) is { } container =>
                $"{p}Storage.Bucket({container}).UploadAsync({Text("blobName")}, {Text("content")}, new {p}UploadOptions {{ IfNotExists = true }}{token})",
            ("Azure.Storage.Blobs.BlobClient" or "Azure.Storage.Blobs.Specialized.BlobBaseClient", "DeleteIfExistsAsync") when Only(arguments, method, "cancellationToken")
                && Blob(Receiver(invocation), model, cancellationToken) is var (container, blob) =>
                $"{p}Storage.Bucket({container}).DeleteAsync({blob}{token})",
            ("Azure.Storage.Blobs.BlobClient", "UploadAsync") when Only(arguments, method, "content", "path", "overwrite", "cancellationToken")
                && (Has("content") || Has("path")) && Overwrite() is { } overwrite
                && Blob(Receiver(invocation), model, cancellationToken) is var (container, blob) =>
                Has("path")
                    ? $"{p}Storage.Bucket({container}).UploadFileAsync({blob}, {Text("path")}{(overwrite ? "" : $", new {p}UploadOptions {{ IfNotExists = true }}")}{(overwrite && token.Length > 0 ? ", cancellationToken: " + token.Substring(2) : token)})"
                    : method.Parameters.Any(p => p.Name == "content" && p.Type.ToDisplayString() == "System.IO.Stream")
                        ? $"{p}Storage.Bucket({container}).UploadAsync({blob}, {Text("content")}{(overwrite ? "" : $", new {p}UploadOptions {{ IfNotExists = true }}")}{(overwrite && token.Length > 0 ? ", cancellationToken: " + token.Substring(2) : token)})"
                        : null,
            _ => null,
        };

        if (code is null)
        {
            return null;
        }

        var call = SyntaxFactory.ParseExpression(code).WithTriviaFrom(invocation);
        if (closeAfter is null)
        {
            return new Rewritten(invocation, call, unused);
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
        return new Rewritten(statement, owned, unused);
    }

    /// <summary>
    /// Whether the call sits in a <c>try</c> that catches an exception of a provider SDK (Amazon, Azure, Google): Infrar
    /// throws its own, which that catch would no longer see, so the program would behave otherwise. Not fixed.
    /// </summary>
    private static bool CatchesProviderErrors(InvocationExpressionSyntax invocation, SemanticModel model, CancellationToken cancellationToken) =>
        invocation.Ancestors()
            .TakeWhile(node => node is not (MemberDeclarationSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax))
            .OfType<TryStatementSyntax>()
            .Where(attempt => attempt.Block.Span.Contains(invocation.Span))
            .SelectMany(attempt => attempt.Catches)
            .Any(handler => handler.Declaration is { Type: var caught }
                && model.GetTypeInfo(caught, cancellationToken).Type is { } exception
                && exception.ContainingNamespace?.ToDisplayString().Split('.')[0] is "Amazon" or "Azure" or "Google");

    /// <summary>
    /// <c>new PutObjectRequest { BucketName = "b", Key = k, InputStream | ContentBody | FilePath = x, ContentType = t,
    /// AutoCloseStream = false }</c>, and nothing else. <paramref name="closeAfter"/> is the stream S3 would have closed
    /// (AutoCloseStream is true unless set false), unless a <c>using</c> in the method owns it already.
    /// </summary>
    private static string? PutObject(Dictionary<string, ExpressionSyntax> values, SemanticModel model, string token, string p, CancellationToken cancellationToken, out ExpressionSyntax? closeAfter)
    {
        closeAfter = null;
        if (values.Keys.Except(["BucketName", "Key", "InputStream", "ContentBody", "FilePath", "ContentType", "AutoCloseStream"]).Any()
            || !values.TryGetValue("BucketName", out var bucket) || !model.GetConstantValue(bucket, cancellationToken).HasValue
            || !values.TryGetValue("Key", out var key))
        {
            return null;
        }

        var autoClose = true;
        if (values.TryGetValue("AutoCloseStream", out var close))
        {
            if (model.GetConstantValue(close, cancellationToken) is not { HasValue: true, Value: bool constant })
            {
                return null;
            }

            autoClose = constant;
        }

        if (values.TryGetValue("InputStream", out var input) && autoClose && !OwnedByUsing(input, model, cancellationToken))
        {
            closeAfter = input;
        }

        var options = values.TryGetValue("ContentType", out var contentType) ? $", new {p}UploadOptions {{ ContentType = {contentType} }}" : "";
        var tail = options.Length > 0 ? options + token : token.Length > 0 ? ", cancellationToken: " + token.Substring(2) : "";
        return values switch
        {
            _ when values.TryGetValue("InputStream", out var stream) => $"{p}Storage.Bucket({bucket}).UploadAsync({key}, {stream}{tail})",
            _ when values.TryGetValue("ContentBody", out var body) => $"{p}Storage.Bucket({bucket}).UploadAsync({key}, System.Text.Encoding.UTF8.GetBytes({body}){tail})",
            _ when values.TryGetValue("FilePath", out var path) => $"{p}Storage.Bucket({bucket}).UploadFileAsync({key}, {path}{tail})",
            _ => null,
        };
    }

    /// <summary>The properties an object initializer sets (<c>new T { A = a, B = b }</c>, nothing else), or null.</summary>
    private static Dictionary<string, ExpressionSyntax>? Initializer(ExpressionSyntax request)
    {
        var initializer = request switch
        {
            ObjectCreationExpressionSyntax { ArgumentList: null or { Arguments.Count: 0 } } creation => creation.Initializer,
            ImplicitObjectCreationExpressionSyntax { ArgumentList.Arguments.Count: 0 } creation => creation.Initializer,
            _ => null,
        };
        if (initializer is null)
        {
            return null;
        }

        var values = new Dictionary<string, ExpressionSyntax>();
        foreach (var expression in initializer.Expressions)
        {
            if (expression is not AssignmentExpressionSyntax { Left: IdentifierNameSyntax name, Right: var value })
            {
                return null;
            }

            values[name.Identifier.ValueText] = value;
        }

        return values;
    }

    /// <summary>
    /// <c>var request = new PutObjectRequest { … };</c> declared alone in a statement of the same block, before the call,
    /// and never named again but by the call: its initializer, and the statement to remove.
    /// </summary>
    private static (ExpressionSyntax Request, StatementSyntax Declaration)? RequestVariable(ExpressionSyntax reference, InvocationExpressionSyntax invocation, SemanticModel model, CancellationToken cancellationToken)
    {
        if (model.GetSymbolInfo(reference, cancellationToken).Symbol is not ILocalSymbol local
            || local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is not VariableDeclaratorSyntax { Initializer.Value: var value } declarator
            || declarator.Parent is not VariableDeclarationSyntax { Variables.Count: 1, Parent: LocalDeclarationStatementSyntax { UsingKeyword.RawKind: 0 } statement }
            || statement.Parent is not BlockSyntax block
            || invocation.FirstAncestorOrSelf<StatementSyntax>(s => s.Parent == block) is not { } callStatement
            || block.Statements.IndexOf(statement) >= block.Statements.IndexOf(callStatement))
        {
            return null;
        }

        var uses = block.DescendantNodes().OfType<IdentifierNameSyntax>()
            .Where(name => name.Identifier.ValueText == local.Name && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, cancellationToken).Symbol, local))
            .ToList();
        return uses.Count == 1 && uses[0] == reference ? (value, statement) : null;
    }

    /// <summary>Whether the stream is a local that a <c>using</c> declaration or statement disposes already.</summary>
    private static bool OwnedByUsing(ExpressionSyntax stream, SemanticModel model, CancellationToken cancellationToken) =>
        model.GetSymbolInfo(stream, cancellationToken).Symbol is ILocalSymbol local
        && local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is VariableDeclaratorSyntax { Parent.Parent: LocalDeclarationStatementSyntax { UsingKeyword.RawKind: not 0 } or UsingStatementSyntax };

    /// <summary>What a call is made on: <c>x</c> of <c>x.Method(…)</c>.</summary>
    private static ExpressionSyntax? Receiver(InvocationExpressionSyntax invocation) =>
        (invocation.Expression as MemberAccessExpressionSyntax)?.Expression;

    /// <summary>
    /// The container name of a client made in the same method as <c>new BlobContainerClient(…, "name")</c> or
    /// <c>service.GetBlobContainerClient("name")</c>, when the name is a constant.
    /// </summary>
    private static string? ContainerName(ExpressionSyntax? receiver, SemanticModel model, CancellationToken cancellationToken)
    {
        if (Initial(receiver, model, cancellationToken) is not { } value)
        {
            return null;
        }

        var name = value switch
        {
            ObjectCreationExpressionSyntax { ArgumentList.Arguments: { Count: 2 } creation } => creation[1].Expression,
            ImplicitObjectCreationExpressionSyntax { ArgumentList.Arguments: { Count: 2 } creation } => creation[1].Expression,
            InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "GetBlobContainerClient" }, ArgumentList.Arguments: { Count: 1 } get } => get[0].Expression,
            _ => null,
        };

        return name is not null && model.GetConstantValue(name, cancellationToken).HasValue ? name.ToString() : null;
    }

    /// <summary>
    /// The container name and blob name of a <c>BlobClient</c> got as <c>container.GetBlobClient(name)</c>, there or in a
    /// local of the same method that nothing assigns again.
    /// </summary>
    private static (string Container, string Blob)? Blob(ExpressionSyntax? receiver, SemanticModel model, CancellationToken cancellationToken)
    {
        var value = receiver is InvocationExpressionSyntax ? receiver : Initial(receiver, model, cancellationToken);
        return value is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "GetBlobClient", Expression: var container }, ArgumentList.Arguments: { Count: 1 } get }
            && ContainerName(container, model, cancellationToken) is { } name
            ? (name, get[0].Expression.ToString())
            : null;
    }

    /// <summary>The initializer of the local a receiver names, when nothing in its method assigns the local again.</summary>
    private static ExpressionSyntax? Initial(ExpressionSyntax? receiver, SemanticModel model, CancellationToken cancellationToken)
    {
        if (receiver is not IdentifierNameSyntax
            || model.GetSymbolInfo(receiver, cancellationToken).Symbol is not ILocalSymbol local
            || local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is not VariableDeclaratorSyntax { Initializer.Value: var value } declarator)
        {
            return null;
        }

        var scope = declarator.FirstAncestorOrSelf<BlockSyntax>();
        var reassigned = scope?.DescendantNodes().OfType<AssignmentExpressionSyntax>()
            .Any(assignment => assignment.Left is IdentifierNameSyntax name && name.Identifier.ValueText == local.Name
                && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, cancellationToken).Symbol, local)) ?? true;
        return reassigned ? null : value;
    }

    private static bool Only(SeparatedSyntaxList<ArgumentSyntax> arguments, IMethodSymbol method, params string[] allowed) =>
        arguments.All(a => Parameter(a, method) is { } p && allowed.Contains(p.Name));

    private static IParameterSymbol? Parameter(ArgumentSyntax argument, IMethodSymbol method)
    {
        if (argument.NameColon is { } name)
        {
            return method.Parameters.FirstOrDefault(p => p.Name == name.Name.Identifier.ValueText);
        }

        var index = ((ArgumentListSyntax)argument.Parent!).Arguments.IndexOf(argument);
        return index < method.Parameters.Length ? method.Parameters[index] : null;
    }

    /// <summary>Whether the call's response is thrown away (Infrar returns no response object).</summary>
    private static bool ResultIsDiscarded(InvocationExpressionSyntax invocation)
    {
        SyntaxNode node = invocation;
        if (node.Parent is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ConfigureAwait", Parent: InvocationExpressionSyntax configure })
        {
            node = configure;
        }

        if (node.Parent is AwaitExpressionSyntax awaited)
        {
            node = awaited;
        }

        return node.Parent is ExpressionStatementSyntax;
    }

    /// <summary>The public names of Infrar the fix writes or a <c>using Infrar;</c> would bring in.</summary>
    private static readonly string[] InfrarNames = ["Storage", "Bucket", "UploadOptions", "BucketOptions", "ListOptions", "ListEntry", "ObjectInfo", "CloudClients"];

    /// <summary>Whether a name of Infrar's already means something else here, so the fix must write <c>global::Infrar.</c>.</summary>
    private static bool Qualify(SemanticModel model, int position) =>
        InfrarNames.Any(name => model.LookupNamespacesAndTypes(position, name: name).Any(symbol => symbol.ContainingNamespace?.ToDisplayString() != "Infrar"));

    /// <summary>Adds <c>using Infrar;</c> unless it is there, or unless the fix wrote qualified names because one would be ambiguous.</summary>
    private static SyntaxNode WithInfrarUsing(SyntaxNode root) =>
        root is CompilationUnitSyntax unit && unit.Usings.All(u => u.Name?.ToString() != "Infrar") && !root.ToString().Contains("global::Infrar.Storage.Bucket(")
            ? unit.AddUsings(SyntaxFactory.UsingDirective(SyntaxFactory.ParseName("Infrar"))
                .WithTrailingTrivia(unit.Usings.LastOrDefault()?.GetTrailingTrivia() ?? SyntaxFactory.TriviaList(SyntaxFactory.ElasticLineFeed)))
            : root;
}
