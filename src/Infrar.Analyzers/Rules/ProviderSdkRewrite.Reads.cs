using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Infrar.Analyzers.Rules;

/// <summary>
/// The reads INFRAR0105's fix moves: calls whose response the code goes on to use, where each use has a place in
/// Infrar's results (an <c>ObjectInfo</c>, a <c>ListEntry</c>, a bool, a download). A use that has
/// none leaves the call alone, named in the reason.
/// </summary>
internal sealed partial record ProviderSdkRewrite
{
    private const string ContentAndProperties =
        "Infrar gives the content and the object's properties by two calls (DownloadAsync, GetInfoAsync): move it by hand";

    private const string TwoCalls = "which Infrar gives by a second call (GetInfoAsync) beside the download: move it by hand";

    /// <summary>The plan for a read the fix knows, or null when the call is not one (the other rules decide).</summary>
    private static ProviderSdkRewrite? Reading(InvocationExpressionSyntax invocation, IMethodSymbol method, string type, SemanticModel model, CancellationToken cancellationToken)
    {
        var s3 = type is "Amazon.S3.IAmazonS3" or "Amazon.S3.AmazonS3Client";
        var blob = type is "Azure.Storage.Blobs.BlobClient" or "Azure.Storage.Blobs.Specialized.BlobBaseClient";
        var container = type == "Azure.Storage.Blobs.BlobContainerClient";
        var read = method.Name switch
        {
            "GetObjectAsync" when s3 => true,
            "GetObjectMetadataAsync" when s3 => true,
            "GetPreSignedURL" or "GetPreSignedURLAsync" when s3 => true,
            "ListObjectsV2" when type == "Amazon.S3.Model.IS3PaginatorFactory" => true,
            "ListObjectsV2Async" when s3 => true,
            "GetPropertiesAsync" or "ExistsAsync" or "DownloadContentAsync" or "GenerateSasUri" or "StartCopyFromUriAsync" when blob => true,
            "GetBlobsAsync" or "CreateIfNotExistsAsync" when container => true,
            _ => false,
        };
        if (!read)
        {
            return null;
        }

        var p = Qualify(model, invocation.SpanStart) ? "global::Infrar." : "";
        var arguments = invocation.ArgumentList.Arguments;
        ExpressionSyntax? Argument(string parameter) => arguments.FirstOrDefault(a => Parameter(a, method)?.Name == parameter)?.Expression;
        var token = Argument("cancellationToken") is { } given ? ", " + given : "";

        if (container && method.Name == "CreateIfNotExistsAsync")
        {
            return !Only(arguments, method, "cancellationToken") ? No("it sets public access, metadata or an encryption scope, which Infrar's declared buckets do not take")
                : ContainerName(Receiver(invocation), model, cancellationToken) is null ? No(ContainerUnknown)
                : !ResultIsDiscarded(invocation) ? No("its response is read")
                : invocation.FirstAncestorOrSelf<ExpressionStatementSyntax>() is not { Parent: BlockSyntax or GlobalStatementSyntax } statement
                    ? No("it is not a statement of its own in a block, so it cannot simply go: remove it by hand once the bucket is declared")
                : Changes([(statement, null)]);
        }

        if (container)
        {
            // GetBlobsAsync(), GetBlobsAsync(new GetBlobsOptions { Prefix = p }) or GetBlobsAsync(BlobTraits.None, BlobStates.None, p).
            var prefix = Argument("prefix");
            var plain = Only(arguments, method, "traits", "states", "prefix", "options", "cancellationToken")
                && new[] { Argument("traits"), Argument("states") }.All(a => a is null || a.ToString().EndsWith(".None", System.StringComparison.Ordinal));
            if (plain && Argument("options") is { } options)
            {
                plain = Initializer(options) is { } set && set.Keys.All(k => k == "Prefix");
                prefix = plain && Initializer(options)!.TryGetValue("Prefix", out var optionsPrefix) ? optionsPrefix : null;
            }

            return !plain ? No("it asks for traits or states (metadata, tags, versions, deleted blobs) or a range Infrar's listing does not give")
                : ContainerName(Receiver(invocation), model, cancellationToken) is not { } listed ? No(ContainerUnknown)
                : ListLoop(invocation, $"{p}Storage.Bucket({listed}).ListAsync({ListArguments(prefix, Argument("cancellationToken"))})", "Name", model, cancellationToken);
        }

        if (blob && method.Name == "GenerateSasUri")
        {
            return BlobSas(invocation, method, Argument("permissions"), Argument("expiresOn"), p, model, cancellationToken);
        }

        if (blob && method.Name == "StartCopyFromUriAsync")
        {
            return BlobCopy(invocation, method, Argument("source"), token, p, model, cancellationToken);
        }

        if (blob)
        {
            if (!Only(arguments, method, "cancellationToken"))
            {
                return No("it sets access conditions, which Infrar cannot express");
            }

            if (Blob(Receiver(invocation), model, cancellationToken) is not var (holder, name))
            {
                return No(ContainerUnknown);
            }

            var call = $"{p}Storage.Bucket({holder}).{method.Name switch { "ExistsAsync" => "ExistsAsync", "DownloadContentAsync" => "DownloadBytesAsync", _ => "GetInfoAsync" }}({name}{token})";
            return method.Name switch
            {
                "ExistsAsync" => BlobExists(invocation, call, model, cancellationToken),
                "DownloadContentAsync" => BlobContent(invocation, call, model, cancellationToken),
                _ => BlobProperties(invocation, call, model, cancellationToken),
            };
        }

        if (method.Name.StartsWith("GetPreSignedURL", System.StringComparison.Ordinal))
        {
            return PreSignedUrl(invocation, method, Argument("request"), p, model, cancellationToken);
        }

        if (method.Name == "ListObjectsV2Async")
        {
            return PageLoop(invocation, Argument("cancellationToken"), p, model, cancellationToken);
        }

        if (method.Name == "ListObjectsV2")
        {
            if (Argument("request") is not { } listRequest || RequestValues(listRequest, invocation, model, cancellationToken) is not { } list)
            {
                return No(RequestUnread);
            }

            if (list.Values.Keys.FirstOrDefault(k => k is not ("BucketName" or "Prefix")) is { } extra)
            {
                return No($"the request sets {extra}, which Infrar's listing cannot express");
            }

            if (ConstantValue(list.Values, "BucketName", model, cancellationToken) is null)
            {
                return No(NotConstantBucket);
            }

            var prefix = list.Values.TryGetValue("Prefix", out var listPrefix) ? listPrefix.ToString() : "";
            return Paginator(invocation, $"{p}Storage.Bucket({list.Values["BucketName"]}).ListAsync({prefix})", list.Declaration, model, cancellationToken);
        }

        // GetObject and GetObjectMetadata: by bucket and key, or by a request that names only those.
        string bucket, key;
        StatementSyntax? unused = null;
        if (Argument("request") is { } request)
        {
            if (RequestValues(request, invocation, model, cancellationToken) is not { } values)
            {
                return No(RequestUnread);
            }

            if (Extra(values.Values, "BucketName", "Key") is { } extra)
            {
                return No($"the request {extra}");
            }

            (bucket, key, unused) = (values.Values["BucketName"].ToString(), values.Values["Key"].ToString(), values.Declaration);
            if (ConstantValue(values.Values, "BucketName", model, cancellationToken) is null)
            {
                return No(NotConstantBucket);
            }
        }
        else if (Argument("bucketName") is { } bucketName && Argument("key") is { } keyName && Only(arguments, method, "bucketName", "key", "cancellationToken"))
        {
            if (!model.GetConstantValue(bucketName, cancellationToken).HasValue)
            {
                return No(NotConstantBucket);
            }

            (bucket, key) = (bucketName.ToString(), keyName.ToString());
        }
        else
        {
            return No("it names a version, which Infrar does not address");
        }

        var target = $"{p}Storage.Bucket({bucket})";
        if (method.Name == "GetObjectMetadataAsync" && ExistsCheck(invocation, model, cancellationToken) is { } check)
        {
            return Changes([(check, $"return await {target}.ExistsAsync({key}{token});")]) with { Unused = unused };
        }

        var plan = method.Name == "GetObjectAsync"
            ? GetObject(invocation, target, key, token, model, cancellationToken)
            : ObjectMetadata(invocation, $"{target}.GetInfoAsync({key}{token})", model, cancellationToken);
        return plan.WhyNot is null && unused is not null ? plan with { Edits = plan.Edits.Add((unused, null)) } : plan;
    }

    /// <summary>
    /// <c>using var response = await s3.GetObjectAsync(…);</c> whose one use downloads the content: written to a file
    /// on the next line (not appended), copied to a stream, or read through a <c>StreamReader</c>.
    /// </summary>
    private static ProviderSdkRewrite GetObject(InvocationExpressionSyntax invocation, string bucket, string key, string token, SemanticModel model, CancellationToken cancellationToken)
    {
        if (ResultLocal(invocation, model, cancellationToken) is not var (local, statement, _, block))
        {
            // using (GetObjectResponse response = await …) { … }: say what is read from it.
            return Awaited(invocation)?.Parent is EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax { Parent: UsingStatementSyntax owner } } declared }
                && model.GetDeclaredSymbol(declared, cancellationToken) is ILocalSymbol owned
                ? No($"its response is read for {MembersRead(owned, owner, model, cancellationToken)}; {ContentAndProperties}")
                : No("its response is not kept in a local of its own (var response = await …), so the fix cannot follow what is read from it");
        }

        var uses = References(local, block, model, cancellationToken).ToList();
        if (uses.Count != 1 || uses[0].Parent is not MemberAccessExpressionSyntax { Name.Identifier.ValueText: var member } access)
        {
            return No(uses.Count == 0 ? "its response is used nowhere: delete the call, or move it by hand"
                : $"its response is read for {MembersRead(local, block, model, cancellationToken)}; {ContentAndProperties}");
        }

        if (member == "WriteResponseStreamToFileAsync"
            && access.Parent is InvocationExpressionSyntax { ArgumentList.Arguments: { Count: >= 2 } write } writeCall
            && Awaited(writeCall)?.Parent is ExpressionStatementSyntax written
            && Next(statement) == written)
        {
            if (model.GetConstantValue(write[1].Expression, cancellationToken) is not { HasValue: true, Value: false })
            {
                return No("it appends to the file, and Infrar's DownloadFileAsync replaces it");
            }

            var writeToken = token.Length == 0 && write.Count > 2 ? ", " + write[2].Expression : token;
            return Changes([(statement, $"await {bucket}.DownloadFileAsync({key}, {write[0].Expression}{writeToken});"), (written, null)]);
        }

        if (member != "ResponseStream")
        {
            return No($"its response's {member} is read, {TwoCalls}");
        }

        if (access.Parent is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "CopyToAsync", Parent: InvocationExpressionSyntax copy }
            && copy.ArgumentList.Arguments.Count is 1 or 2
            && (copy.ArgumentList.Arguments.Count == 1 || model.GetTypeInfo(copy.ArgumentList.Arguments[1].Expression, cancellationToken).Type?.Name == "CancellationToken")
            && Awaited(copy)?.Parent is ExpressionStatementSyntax copied
            && SameFunction(copied, invocation))
        {
            var copyToken = token.Length == 0 && copy.ArgumentList.Arguments.Count == 2 ? ", " + copy.ArgumentList.Arguments[1].Expression : token;
            return Changes([(copied, $"await {bucket}.DownloadAsync({key}, {copy.ArgumentList.Arguments[0].Expression}{copyToken});"), (statement, null)]);
        }

        if (access.Parent is ArgumentSyntax { Parent: ArgumentListSyntax { Parent: BaseObjectCreationExpressionSyntax reader } }
            && model.GetTypeInfo(reader, cancellationToken).Type?.ToDisplayString() == "System.IO.StreamReader"
            && SameFunction(access, invocation))
        {
            return Changes([(access, $"new System.IO.MemoryStream(await {bucket}.DownloadBytesAsync({key}{token}))"), (statement, null)]);
        }

        return No("its response stream is read in a way the fix does not follow (it moves CopyToAsync, WriteResponseStreamToFileAsync and a StreamReader): move it by hand with Bucket.DownloadAsync");
    }

    /// <summary>
    /// <c>s3.GetPreSignedURL(new GetPreSignedUrlRequest { BucketName, Key, Expires = DateTime.UtcNow.AddHours(1), Verb })</c>
    /// (or its async twin) in an async method: the URL Infrar signs for the same time, as the string S3 gave.
    /// </summary>
    private static ProviderSdkRewrite PreSignedUrl(InvocationExpressionSyntax invocation, IMethodSymbol method, ExpressionSyntax? argument, string p, SemanticModel model, CancellationToken cancellationToken)
    {
        if (argument is null || RequestValues(argument, invocation, model, cancellationToken) is not { } request)
        {
            return No(RequestUnread);
        }

        var values = request.Values;
        if (values.Keys.FirstOrDefault(k => k is not ("BucketName" or "Key" or "Expires" or "Verb")) is { } extra)
        {
            return No($"the request sets {extra}, which Infrar's signed URLs cannot express");
        }

        if (ConstantValue(values, "BucketName", model, cancellationToken) is null || !values.ContainsKey("Key"))
        {
            return No(NotConstantBucket);
        }

        if (!values.TryGetValue("Expires", out var expires) || ExpiresIn(expires) is not { } expiresIn)
        {
            return No("its expiry is not written as DateTime.UtcNow.AddMinutes(…) (or AddSeconds, AddHours, AddDays, Add), so the time it is valid for cannot be carried over");
        }

        var verb = values.TryGetValue("Verb", out var given) ? (given as MemberAccessExpressionSyntax)?.Name.Identifier.ValueText : "GET";
        if (verb is not ("GET" or "PUT"))
        {
            return No("it signs a verb other than GET or PUT");
        }

        var signed = $"(await {p}Storage.Bucket({values["BucketName"]}).{(verb == "GET" ? "GetDownloadUrlAsync" : "GetUploadUrlAsync")}({values["Key"]}, {expiresIn})).AbsoluteUri";
        var plan = method.Name.EndsWith("Async", System.StringComparison.Ordinal)
            ? Awaited(invocation) is { } awaited ? Changes([(awaited, signed)]) : No("it is not awaited")
            : IsAsync(invocation, model, cancellationToken) ? Changes([(invocation, signed)])
            : No("Infrar signs URLs asynchronously, and the method it is in is not async");
        return plan.WhyNot is null && request.Declaration is { } declaration ? plan with { Edits = plan.Edits.Add((declaration, null)) } : plan;
    }

    /// <summary>
    /// <c>blob.GenerateSasUri(BlobSasPermissions.Read, DateTimeOffset.UtcNow.AddHours(1))</c> in an async method: the
    /// URL Infrar signs for the same time (a read, or a write for Write/Create), as the Uri Azure gave.
    /// </summary>
    private static ProviderSdkRewrite BlobSas(
        InvocationExpressionSyntax invocation, IMethodSymbol method, ExpressionSyntax? permissions, ExpressionSyntax? expiresOn, string p, SemanticModel model, CancellationToken cancellationToken)
    {
        if (permissions is null || expiresOn is null || invocation.ArgumentList.Arguments.Count != 2)
        {
            return No("it signs with a BlobSasBuilder (or returns its string to sign), which Infrar's signed URLs cannot express");
        }

        var verb = Regex.Replace(permissions.ToString(), @"\s+", "") switch
        {
            "BlobSasPermissions.Read" => "GetDownloadUrlAsync",
            "BlobSasPermissions.Write" or "BlobSasPermissions.Create" or "BlobSasPermissions.Create|BlobSasPermissions.Write" or "BlobSasPermissions.Write|BlobSasPermissions.Create" => "GetUploadUrlAsync",
            _ => null,
        };
        if (verb is null)
        {
            return No("it grants more than reading or writing the blob (delete, list, tags, …), which Infrar's signed URLs do not");
        }

        if (ExpiresIn(expiresOn) is not { } expiresIn)
        {
            return No("its expiry is not written as DateTimeOffset.UtcNow.AddMinutes(…) (or AddSeconds, AddHours, AddDays, Add), so the time it is valid for cannot be carried over");
        }

        if (Blob(Receiver(invocation), model, cancellationToken) is not var (container, name))
        {
            return No(ContainerUnknown);
        }

        var signed = $"await {p}Storage.Bucket({container}).{verb}({name}, {expiresIn})";
        return !IsAsync(invocation, model, cancellationToken) ? No("Infrar signs URLs asynchronously, and the method it is in is not async")
            : Yes(invocation.Parent is MemberAccessExpressionSyntax or ElementAccessExpressionSyntax or ConditionalAccessExpressionSyntax ? $"({signed})" : signed);
    }

    /// <summary>
    /// <c>await target.StartCopyFromUriAsync(source.Uri)</c>, discarded or kept only to wait for
    /// (<c>await copy.WaitForCompletionAsync()</c> on the next line), between blobs of this account whose containers
    /// and names are known: Infrar's copy, which is complete when it returns.
    /// </summary>
    private static ProviderSdkRewrite BlobCopy(
        InvocationExpressionSyntax invocation, IMethodSymbol method, ExpressionSyntax? source, string token, string p, SemanticModel model, CancellationToken cancellationToken)
    {
        if (!Only(invocation.ArgumentList.Arguments, method, "source", "cancellationToken"))
        {
            return No("it passes metadata, an access tier or conditions, which Infrar's copy cannot express");
        }

        if (Blob(Receiver(invocation), model, cancellationToken) is not var (targetContainer, targetName)
            || source is not MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Uri", Expression: var from }
            || Blob(from, model, cancellationToken) is not var (sourceContainer, sourceName))
        {
            return No("its source is not the Uri of a blob client made in this method from a constant container name, so it may copy from outside the account: move it by hand");
        }

        var copy = sourceContainer == targetContainer
            ? $"{p}Storage.Bucket({sourceContainer}).CopyAsync({sourceName}, {targetName}{token})"
            : $"{p}Storage.Bucket({sourceContainer}).CopyToAsync({sourceName}, {p}Storage.Bucket({targetContainer}), {targetName}{token})";
        if (ResultIsDiscarded(invocation))
        {
            return Yes(copy);
        }

        // var copy = await target.StartCopyFromUriAsync(…); await copy.WaitForCompletionAsync();
        return ResultLocal(invocation, model, cancellationToken) is var (operation, statement, _, scope)
            && References(operation, scope, model, cancellationToken).ToList() is { Count: 1 } uses
            && uses[0].Parent is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "WaitForCompletionAsync", Parent: InvocationExpressionSyntax wait }
            && Awaited(wait)?.Parent is ExpressionStatementSyntax waited
            && Next(statement) == waited
                ? Changes([(statement, $"await {copy};"), (waited, null)])
                : No("its copy operation is read for more than waiting for it to complete: move it by hand with Bucket.CopyAsync");
    }

    /// <summary><c>TimeSpan.FromHours(1)</c> for <c>DateTime.UtcNow.AddHours(1)</c> (or <c>DateTime.Now</c>, and the other units), or null.</summary>
    private static string? ExpiresIn(ExpressionSyntax expires) =>
        expires is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Expression: var now, Name.Identifier.ValueText: var add }, ArgumentList.Arguments: { Count: 1 } amount }
        && now.ToString() is "DateTime.UtcNow" or "DateTime.Now" or "System.DateTime.UtcNow" or "System.DateTime.Now"
            or "DateTimeOffset.UtcNow" or "DateTimeOffset.Now" or "System.DateTimeOffset.UtcNow" or "System.DateTimeOffset.Now"
            ? add switch
            {
                "AddSeconds" => $"System.TimeSpan.FromSeconds({amount[0].Expression})",
                "AddMinutes" => $"System.TimeSpan.FromMinutes({amount[0].Expression})",
                "AddHours" => $"System.TimeSpan.FromHours({amount[0].Expression})",
                "AddDays" => $"System.TimeSpan.FromDays({amount[0].Expression})",
                "Add" => amount[0].Expression.ToString(),
                _ => null,
            }
            : null;

    /// <summary>Whether the method, local function or lambda a node is in is async.</summary>
    private static bool IsAsync(SyntaxNode node, SemanticModel model, CancellationToken cancellationToken) =>
        node.Ancestors().FirstOrDefault(a => a is MemberDeclarationSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax) switch
        {
            AnonymousFunctionExpressionSyntax lambda => lambda.AsyncKeyword.RawKind != 0,
            { } function => model.GetDeclaredSymbol(function, cancellationToken) is IMethodSymbol { IsAsync: true },
            null => false,
        };

    /// <summary>
    /// <c>var metadata = await s3.GetObjectMetadataAsync(…);</c> read only for what <c>ObjectInfo</c> holds: the content
    /// type, the length, and metadata by constant name.
    /// </summary>
    private static ProviderSdkRewrite ObjectMetadata(InvocationExpressionSyntax invocation, string call, SemanticModel model, CancellationToken cancellationToken)
    {
        if (ResultLocal(invocation, model, cancellationToken) is not var (local, _, declaration, block))
        {
            return No("its response is not kept in a local of its own (var metadata = await …), so the fix cannot follow what is read from it");
        }

        var edits = ImmutableArray.CreateBuilder<(SyntaxNode, string?)>();
        foreach (var use in References(local, block, model, cancellationToken))
        {
            var access = use.Parent as MemberAccessExpressionSyntax;
            var outer = access?.Parent as MemberAccessExpressionSyntax;
            switch (access?.Name.Identifier.ValueText)
            {
                case "ContentLength":
                    edits.Add((access, $"{local.Name}.Size"));
                    break;
                case "Headers" when outer?.Name.Identifier.ValueText is "ContentType" or "ContentLength":
                    edits.Add((outer, $"{local.Name}.{(outer.Name.Identifier.ValueText == "ContentType" ? "ContentType" : "Size")}"));
                    break;
                case "Metadata" when access.Parent is ElementAccessExpressionSyntax { ArgumentList.Arguments: { Count: 1 } index } element
                    && model.GetConstantValue(index[0].Expression, cancellationToken).Value is string name:
                    // S3's collection gives null for a name it lacks; so does GetValueOrDefault.
                    edits.Add((element, $"{local.Name}.Metadata.GetValueOrDefault(\"{MetadataName(name)}\")"));
                    break;
                default:
                    return No($"its response's {access?.Name.Identifier.ValueText ?? "value"} is used, which Infrar's ObjectInfo does not hold as S3 does (it has Size, ContentType, ETag, LastModified, Metadata): move it by hand");
            }
        }

        if (!declaration.Type.IsVar)
        {
            edits.Add((declaration.Type, "var"));
        }

        var usings = edits.Any(e => e.Item2?.Contains(".GetValueOrDefault(") == true)
            && model.LookupSymbols(invocation.SpanStart, name: "CollectionExtensions").IsEmpty
                ? ImmutableArray.Create("System.Collections.Generic")
                : [];
        return Yes(call) with { Edits = edits.ToImmutable(), Usings = usings };
    }

    /// <summary>
    /// <c>try { await s3.GetObjectMetadataAsync(…); return true; } catch (AmazonS3Exception e) when (e.StatusCode ==
    /// HttpStatusCode.NotFound) { return false; }</c>: the exists check S3's documentation shows, or null.
    /// </summary>
    private static TryStatementSyntax? ExistsCheck(InvocationExpressionSyntax invocation, SemanticModel model, CancellationToken cancellationToken) =>
        Awaited(invocation)?.Parent is ExpressionStatementSyntax { Parent: BlockSyntax { Parent: TryStatementSyntax attempt } block }
        && attempt.Finally is null
        && block.Statements.Count == 2 && block.Statements[1] is ReturnStatementSyntax { Expression.RawKind: (int)Microsoft.CodeAnalysis.CSharp.SyntaxKind.TrueLiteralExpression }
        && attempt.Catches.Count == 1
        && attempt.Catches[0] is { Declaration.Type: var caughtType, Block.Statements: { Count: 1 } handled } handler
        && handled[0] is ReturnStatementSyntax { Expression.RawKind: (int)Microsoft.CodeAnalysis.CSharp.SyntaxKind.FalseLiteralExpression }
        && model.GetTypeInfo(caughtType, cancellationToken).Type is { } caught
        && caught.ToDisplayString() == "Amazon.S3.AmazonS3Exception"
        && NotFoundKind(handler, caught) is "object" or "either"
            ? attempt
            : null;

    /// <summary><c>if (await blob.ExistsAsync())</c> (the response read as a bool) or <c>(await blob.ExistsAsync()).Value</c>.</summary>
    private static ProviderSdkRewrite BlobExists(InvocationExpressionSyntax invocation, string call, SemanticModel model, CancellationToken cancellationToken)
    {
        if (Awaited(invocation) is not { } awaited)
        {
            return No("it is not awaited");
        }

        if (model.GetTypeInfo(awaited, cancellationToken).ConvertedType?.SpecialType == SpecialType.System_Boolean)
        {
            return Yes(call);
        }

        return awaited.Parent is ParenthesizedExpressionSyntax { Parent: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Value" } value }
            ? Changes([(value, $"await {call}")])
            : No("its Response<bool> is kept whole: read it as a bool (if (await blob.ExistsAsync())) and the fix moves it");
    }

    /// <summary>
    /// <c>BlobProperties properties = await blob.GetPropertiesAsync();</c> or <c>var properties = (await
    /// blob.GetPropertiesAsync()).Value;</c>, read only for the content type, the length and metadata.
    /// </summary>
    private static ProviderSdkRewrite BlobProperties(InvocationExpressionSyntax invocation, string call, SemanticModel model, CancellationToken cancellationToken)
    {
        if (BlobResult(invocation, "BlobProperties", model, cancellationToken) is not var (value, declaration, local, block))
        {
            return No("its properties are not kept in a local of their own (BlobProperties properties = await …), so the fix cannot follow what is read from them");
        }

        var edits = ImmutableArray.CreateBuilder<(SyntaxNode, string?)>();
        foreach (var use in References(local, block, model, cancellationToken))
        {
            switch (use.Parent)
            {
                case MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ContentType" }:
                    break;
                case MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ContentLength" } length:
                    edits.Add((length, $"{local.Name}.Size"));
                    break;
                case MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Metadata", Parent: ElementAccessExpressionSyntax }:
                    break;
                default:
                    return No($"its properties' {(use.Parent as MemberAccessExpressionSyntax)?.Name.Identifier.ValueText ?? "value"} is used, which Infrar's ObjectInfo does not hold (it has Size, ContentType, ETag, LastModified, Metadata): move it by hand");
            }
        }

        edits.Add((value, $"await {call}"));
        if (!declaration.Type.IsVar)
        {
            edits.Add((declaration.Type, "var"));
        }

        return Changes(edits.ToImmutable());
    }

    /// <summary>
    /// <c>BlobDownloadResult result = await blob.DownloadContentAsync();</c> (or <c>(await …).Value</c>) read only for its
    /// content: as bytes (<c>Content.ToArray()</c>), as text (<c>Content.ToString()</c>) or as BinaryData (<c>Content</c>).
    /// </summary>
    private static ProviderSdkRewrite BlobContent(InvocationExpressionSyntax invocation, string call, SemanticModel model, CancellationToken cancellationToken)
    {
        if (ResultIsDiscarded(invocation))
        {
            return Yes(call);
        }

        if (BlobResult(invocation, "BlobDownloadResult", model, cancellationToken) is not var (value, declaration, local, block))
        {
            return No("its result is not kept in a local of its own (BlobDownloadResult result = await …), so the fix cannot follow what is read from it");
        }

        var edits = ImmutableArray.CreateBuilder<(SyntaxNode, string?)>();
        foreach (var use in References(local, block, model, cancellationToken))
        {
            if (use.Parent is not MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Content" } content)
            {
                return No($"its result's {(use.Parent as MemberAccessExpressionSyntax)?.Name.Identifier.ValueText ?? "value"} is read, which Infrar gives by a second call (GetInfoAsync): move it by hand");
            }

            edits.Add(content.Parent is MemberAccessExpressionSyntax { Name.Identifier.ValueText: var read, Parent: InvocationExpressionSyntax { ArgumentList.Arguments.Count: 0 } converted }
                && read is "ToArray" or "ToString"
                    ? (converted, read == "ToArray" ? local.Name : $"System.Text.Encoding.UTF8.GetString({local.Name})")
                    : (content, $"System.BinaryData.FromBytes({local.Name})"));
        }

        edits.Add((value, $"await {call}"));
        if (!declaration.Type.IsVar)
        {
            edits.Add((declaration.Type, "var"));
        }

        return Changes(edits.ToImmutable());
    }

    /// <summary>
    /// <c>T result = await call;</c> (Azure's <c>Response&lt;T&gt;</c> converted) or <c>var result = (await call).Value;</c>
    /// alone in a statement of a block, where T is the type named: the value replaced, its declaration, the local and its block.
    /// </summary>
    private static (ExpressionSyntax Value, VariableDeclarationSyntax Declaration, ILocalSymbol Local, BlockSyntax Block)? BlobResult(
        InvocationExpressionSyntax invocation, string typeName, SemanticModel model, CancellationToken cancellationToken)
    {
        if (Awaited(invocation) is not { } awaited)
        {
            return null;
        }

        var value = awaited.Parent is ParenthesizedExpressionSyntax { Parent: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Value" } unwrapped } ? unwrapped : (ExpressionSyntax)awaited;
        return value.Parent is EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax { Variables.Count: 1 } declaration } declarator }
            && declaration.Parent is LocalDeclarationStatementSyntax { Parent: BlockSyntax block }
            && model.GetDeclaredSymbol(declarator, cancellationToken) is ILocalSymbol { Type.Name: var type } local
            && type == typeName
                ? (value, declaration, local, block)
                : null;
    }

    /// <summary>
    /// <c>await foreach (var o in s3.Paginators.ListObjectsV2(request).S3Objects)</c>, inline or through a local paginator
    /// used only there.
    /// </summary>
    private static ProviderSdkRewrite Paginator(InvocationExpressionSyntax invocation, string call, StatementSyntax? unused, SemanticModel model, CancellationToken cancellationToken)
    {
        ExpressionSyntax objects;
        StatementSyntax? paginator = null;
        if (invocation.Parent is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "S3Objects" } inline)
        {
            objects = inline;
        }
        else if (LocalOf(invocation, model, cancellationToken) is var (local, statement, _, block)
            && References(local, block, model, cancellationToken).ToList() is { Count: 1 } uses
            && uses[0].Parent is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "S3Objects" } named)
        {
            (objects, paginator) = (named, statement);
        }
        else
        {
            return No("its pages are read, not its S3Objects in an await foreach: use Bucket.ListAsync, which pages by itself");
        }

        var plan = ListLoop(objects, call, "Key", model, cancellationToken);
        return plan.WhyNot is not null ? plan
            : plan with { Edits = plan.Edits.AddRange(new[] { paginator, unused }.OfType<StatementSyntax>().Select(s => ((SyntaxNode)s, (string?)null))) };
    }

    /// <summary>
    /// An <c>await foreach</c> over a listing whose items are read only for their key (<paramref name="keyMember"/>) and
    /// size: the loop goes over <paramref name="call"/> instead, the size read as Infrar's (never null).
    /// </summary>
    private static ProviderSdkRewrite ListLoop(ExpressionSyntax listed, string call, string keyMember, SemanticModel model, CancellationToken cancellationToken)
    {
        if (listed.Parent is not ForEachStatementSyntax { AwaitKeyword.RawKind: not 0 } loop || loop.Expression != listed
            || model.GetDeclaredSymbol(loop, cancellationToken) is not ILocalSymbol item)
        {
            return No("its items are not read in an await foreach over it: use Bucket.ListAsync in an await foreach");
        }

        if (ItemEdits(item, loop.Statement, keyMember, model, cancellationToken) is not { } itemEdits)
        {
            return No(ItemsRead(item, loop.Statement, keyMember, model, cancellationToken));
        }

        var edits = itemEdits.ToBuilder();
        edits.Add((listed, call));
        if (!loop.Type.IsVar)
        {
            edits.Add((loop.Type, "var"));
        }

        return Changes(edits.ToImmutable());
    }

    /// <summary>
    /// What reading a listing's items for their key (<paramref name="keyMember"/>) and size becomes on Infrar's
    /// ListEntry; null when the items are read for anything else.
    /// </summary>
    private static ImmutableArray<(SyntaxNode Node, string? Text)>? ItemEdits(ISymbol item, SyntaxNode scope, string keyMember, SemanticModel model, CancellationToken cancellationToken)
    {
        var edits = ImmutableArray.CreateBuilder<(SyntaxNode, string?)>();
        foreach (var use in References(item, scope, model, cancellationToken))
        {
            var access = use.Parent as MemberAccessExpressionSyntax;
            var size = access?.Name.Identifier.ValueText == "Size" ? access
                : access?.Name.Identifier.ValueText == "Properties" && access.Parent is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ContentLength" } length ? length
                : null;
            if (access?.Name.Identifier.ValueText == keyMember)
            {
                if (keyMember != "Key")
                {
                    edits.Add((access, $"{item.Name}.Key"));
                }
            }
            else if (size is not null)
            {
                // S3 and Azure give the size as long?; Infrar always has it, so "?? 0" goes with the nullable.
                var sizeUse = size.Parent is BinaryExpressionSyntax { RawKind: (int)Microsoft.CodeAnalysis.CSharp.SyntaxKind.CoalesceExpression } coalesce && coalesce.Left == size
                    ? (ExpressionSyntax)coalesce
                    : size;
                if (sizeUse != access)
                {
                    edits.Add((sizeUse, $"{item.Name}.Size"));
                }
            }
            else
            {
                return null;
            }
        }

        return edits.ToImmutable();
    }

    /// <summary>Why a listing's items cannot be read from Infrar's ListEntry: the first member read that it does not hold.</summary>
    private static string ItemsRead(ISymbol item, SyntaxNode scope, string keyMember, SemanticModel model, CancellationToken cancellationToken)
    {
        var member = References(item, scope, model, cancellationToken)
            .Select(use => use.Parent is MemberAccessExpressionSyntax access ? access.Name.Identifier.ValueText : "value")
            .FirstOrDefault(name => name != keyMember && name is not ("Size" or "Properties")) ?? "Properties";
        return $"its items' {member} is read, which Infrar's ListEntry does not hold (it has Key, Size, ETag, LastModified as DateTimeOffset?): move it by hand";
    }

    /// <summary>
    /// The paging loop S3's guide shows: <c>do { response = await s3.ListObjectsV2Async(request); foreach (var o in
    /// response.S3Objects) { … } (or response.S3Objects.ForEach(o =&gt; …)); request.ContinuationToken =
    /// response.NextContinuationToken; } while (response.IsTruncated == true);</c> over a request of a constant bucket
    /// (a prefix, a page size) made before it: one <c>await foreach</c> over Bucket.ListAsync, which pages by itself.
    /// </summary>
    private static ProviderSdkRewrite PageLoop(InvocationExpressionSyntax invocation, ExpressionSyntax? token, string p, SemanticModel model, CancellationToken cancellationToken)
    {
        const string Unfollowed = "it lists page by page in a loop the fix does not follow (it moves the guide's do { response = await s3.ListObjectsV2Async(request); foreach (var o in response.S3Objects) …; request.ContinuationToken = response.NextContinuationToken; } while (response.IsTruncated == true)): use Bucket.ListAsync(prefix) in an await foreach, which pages by itself";
        if (Awaited(invocation) is not { Parent: AssignmentExpressionSyntax { Left: IdentifierNameSyntax responseName, Parent: ExpressionStatementSyntax call } }
            || call.Parent is not BlockSyntax { Parent: DoStatementSyntax loop, Statements: { Count: 3 } body }
            || body[0] != call
            || loop.Parent is not BlockSyntax scope
            || model.GetSymbolInfo(responseName, cancellationToken).Symbol is not ILocalSymbol response
            || invocation.ArgumentList.Arguments.FirstOrDefault()?.Expression is not IdentifierNameSyntax requestName
            || model.GetSymbolInfo(requestName, cancellationToken).Symbol is not ILocalSymbol request
            || Regex.Replace(body[2].ToString(), @"\s+", "") != $"{request.Name}.ContinuationToken={response.Name}.NextContinuationToken;")
        {
            return No(Unfollowed);
        }

        // The request, made before the loop and named nowhere else; the response, declared bare before it and read
        // nowhere else but for IsTruncated in the loop's condition.
        var requestDeclaration = request.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) as VariableDeclaratorSyntax;
        var responseDeclaration = response.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) as VariableDeclaratorSyntax;
        if (requestDeclaration is not { Initializer.Value: var made, Parent: VariableDeclarationSyntax { Variables.Count: 1, Parent: LocalDeclarationStatementSyntax requestStatement } }
            || requestStatement.Parent != scope
            || Initializer(made) is not { } values
            || values.Keys.Any(k => k is not ("BucketName" or "Prefix" or "MaxKeys"))
            || ConstantValue(values, "BucketName", model, cancellationToken) is null
            || References(request, scope, model, cancellationToken).Count() != 2
            || responseDeclaration is not { Initializer: null or { Value.RawKind: (int)Microsoft.CodeAnalysis.CSharp.SyntaxKind.NullLiteralExpression }, Parent: VariableDeclarationSyntax { Variables.Count: 1, Parent: LocalDeclarationStatementSyntax responseStatement } }
            || responseStatement.Parent != scope
            || References(response, scope, model, cancellationToken).Any(use => !use.Ancestors().Contains(loop))
            || References(response, loop.Condition, model, cancellationToken).Any(use => use.Parent is not MemberAccessExpressionSyntax { Name.Identifier.ValueText: "IsTruncated" }))
        {
            return No(Unfollowed);
        }

        var objects = $"{response.Name}.S3Objects";
        var listed = $"{p}Storage.Bucket({values["BucketName"]}).ListAsync({ListArguments(values.TryGetValue("Prefix", out var prefix) ? prefix : null, token)})";
        string replacement;
        switch (body[1])
        {
            case ForEachStatementSyntax { AwaitKeyword.RawKind: 0 } each when each.Expression.ToString() == objects
                && model.GetDeclaredSymbol(each, cancellationToken) is ILocalSymbol item:
            {
                if (ItemEdits(item, each.Statement, "Key", model, cancellationToken) is not { } edits)
                {
                    return No(ItemsRead(item, each.Statement, "Key", model, cancellationToken));
                }

                replacement = $"await foreach (var {item.Name} in {listed})\n{Rewritten(each.Statement, edits)}";
                break;
            }

            case ExpressionStatementSyntax { Expression: InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ForEach", Expression: var list }, ArgumentList.Arguments: { Count: 1 } arguments } }
                when list.ToString() == objects && arguments[0].Expression is SimpleLambdaExpressionSyntax lambda
                && model.GetDeclaredSymbol(lambda.Parameter, cancellationToken) is IParameterSymbol item:
            {
                if (ItemEdits(item, lambda.Body, "Key", model, cancellationToken) is not { } edits)
                {
                    return No(ItemsRead(item, lambda.Body, "Key", model, cancellationToken));
                }

                var action = Rewritten(lambda.Body, edits);
                replacement = $"await foreach (var {item.Name} in {listed})\n{(lambda.Body is BlockSyntax ? action : $"{{\n{action};\n}}")}";
                break;
            }

            default:
                return No(Unfollowed);
        }

        return Changes([(loop, replacement), (requestStatement, null), (responseStatement, null)]);
    }

    /// <summary>A node's text with the edits made inside it.</summary>
    private static string Rewritten(SyntaxNode node, ImmutableArray<(SyntaxNode Node, string? Text)> edits) =>
        node.ReplaceNodes(edits.Select(e => e.Node), (original, _) => Microsoft.CodeAnalysis.CSharp.SyntaxFactory.ParseExpression(edits.First(e => e.Node == original).Text!).WithTriviaFrom(original))
            .ToString();

    /// <summary>The members of a response the code reads, in order of appearance: "Metadata, Headers and ResponseStream".</summary>
    private static string MembersRead(ILocalSymbol local, SyntaxNode scope, SemanticModel model, CancellationToken cancellationToken)
    {
        var members = References(local, scope, model, cancellationToken)
            .Select(use => (use.Parent as MemberAccessExpressionSyntax)?.Name.Identifier.ValueText ?? "itself")
            .Distinct()
            .ToList();
        return members.Count switch
        {
            0 => "nothing",
            1 => members[0],
            _ => $"{string.Join(", ", members.Take(members.Count - 1))} and {members[members.Count - 1]}",
        };
    }

    /// <summary>The arguments of <c>Bucket.ListAsync</c> for a prefix and a token, either of them perhaps absent.</summary>
    private static string ListArguments(ExpressionSyntax? prefix, ExpressionSyntax? token) =>
        string.Join(", ", new[] { prefix?.ToString(), token is null ? null : $"cancellationToken: {token}" }.OfType<string>());

    /// <summary>The name S3 stores metadata under: without its x-amz-meta- prefix, in lower case.</summary>
    private static string MetadataName(string name)
    {
        const string Prefix = "x-amz-meta-";
        return (name.StartsWith(Prefix, System.StringComparison.OrdinalIgnoreCase) ? name.Substring(Prefix.Length) : name).ToLowerInvariant();
    }

    /// <summary>A fix made only of edits around the call (the call itself goes with one of them).</summary>
    private static ProviderSdkRewrite Changes(ImmutableArray<(SyntaxNode Node, string? Text)> edits) => new(null, null, null, null) { Edits = edits };

    /// <summary>The await of a call (through <c>.ConfigureAwait(…)</c>), or null.</summary>
    private static AwaitExpressionSyntax? Awaited(InvocationExpressionSyntax invocation)
    {
        SyntaxNode node = invocation;
        if (node.Parent is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ConfigureAwait", Parent: InvocationExpressionSyntax configure })
        {
            node = configure;
        }

        return node.Parent as AwaitExpressionSyntax;
    }

    /// <summary>
    /// <c>[using] var x = await call;</c> alone in a statement of a block or of a file's top-level statements: the local,
    /// its statement and declaration, and where it can be named (the block, or the file).
    /// </summary>
    private static (ILocalSymbol Local, LocalDeclarationStatementSyntax Statement, VariableDeclarationSyntax Declaration, SyntaxNode Scope)? ResultLocal(
        InvocationExpressionSyntax invocation, SemanticModel model, CancellationToken cancellationToken) =>
        Awaited(invocation) is { } awaited ? LocalOf(awaited, model, cancellationToken) : null;

    private static (ILocalSymbol Local, LocalDeclarationStatementSyntax Statement, VariableDeclarationSyntax Declaration, SyntaxNode Scope)? LocalOf(
        ExpressionSyntax value, SemanticModel model, CancellationToken cancellationToken) =>
        value.Parent is EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax { Variables.Count: 1 } declaration } declarator }
        && declaration.Parent is LocalDeclarationStatementSyntax { Parent: BlockSyntax or GlobalStatementSyntax } statement
        && (statement.Parent is BlockSyntax ? statement.Parent : statement.Parent!.Parent) is { } block
        && model.GetDeclaredSymbol(declarator, cancellationToken) is ILocalSymbol local
            ? (local, statement, declaration, block)
            : null;

    /// <summary>The statement after another, in its block or among a file's top-level statements; null when it is the last.</summary>
    private static StatementSyntax? Next(StatementSyntax statement)
    {
        if (statement.Parent is BlockSyntax block)
        {
            var at = block.Statements.IndexOf(statement);
            return at + 1 < block.Statements.Count ? block.Statements[at + 1] : null;
        }

        if (statement.Parent is GlobalStatementSyntax { Parent: CompilationUnitSyntax unit } global)
        {
            var at = unit.Members.IndexOf(global);
            return at + 1 < unit.Members.Count ? (unit.Members[at + 1] as GlobalStatementSyntax)?.Statement : null;
        }

        return null;
    }

    /// <summary>Whether two nodes are in the same method, local function or lambda (so an await written at one is allowed at the other).</summary>
    private static bool SameFunction(SyntaxNode one, SyntaxNode other)
    {
        static SyntaxNode? Function(SyntaxNode node) =>
            node.Ancestors().FirstOrDefault(a => a is MemberDeclarationSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax);
        return Function(one) == Function(other);
    }
}
