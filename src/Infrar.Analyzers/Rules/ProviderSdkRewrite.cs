using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Infrar.Analyzers.Rules;

/// <summary>
/// What INFRAR0105's fix makes of one provider SDK call: the Infrar call that replaces it (with the stream to close
/// after it, as S3 did, and the request variable that goes with it), or why it is left alone. The analyzer puts the
/// reason in the diagnostic's message and the code fix writes the replacement, so the two never disagree.
/// </summary>
/// <param name="Code">The replacing expression's text; null when the call is not fixed.</param>
/// <param name="CloseAfter">The stream S3 would have closed after the put (AutoCloseStream), which the fix closes.</param>
/// <param name="Unused">The declaration of a request variable the call was the only use of, which goes too.</param>
/// <param name="WhyNot">Why the call is not fixed, in words for the diagnostic; null when it is.</param>
internal sealed partial record ProviderSdkRewrite(string? Code, ExpressionSyntax? CloseAfter, StatementSyntax? Unused, string? WhyNot)
{
    /// <summary>
    /// What else changes with the call: a node replaced by the text given (a statement, an expression or a type), or
    /// removed when the text is null (a statement the call made useless, such as the request's metadata lines).
    /// </summary>
    public ImmutableArray<(SyntaxNode Node, string? Text)> Edits { get; init; } = [];

    /// <summary>
    /// The declaration of a local that kept the call's response and that nothing reads: it becomes a plain statement
    /// of the Infrar call.
    /// </summary>
    public LocalDeclarationStatementSyntax? Discarded { get; init; }

    /// <summary>Namespaces the code written needs and the file does not see yet (<c>System.Collections.Generic</c> for GetValueOrDefault).</summary>
    public ImmutableArray<string> Usings { get; init; } = [];

    /// <summary>The public names of Infrar the fix writes or a <c>using Infrar;</c> would bring in.</summary>
    private static readonly string[] InfrarNames = ["Storage", "Bucket", "UploadOptions", "BucketOptions", "ListOptions", "ListEntry", "ObjectInfo", "CloudClients"];

    /// <summary>Properties of a put request Infrar has a place for.</summary>
    private static readonly string[] PutProperties = ["BucketName", "Key", "InputStream", "ContentBody", "FilePath", "ContentType", "AutoCloseStream", "Metadata"];

    /// <summary>What to use instead, by hand, for the calls the fix does not move yet.</summary>
    private static readonly Dictionary<string, string> ByHand = new()
    {
        ["ListObjectsAsync"] = "Bucket.ListAsync(prefix) in an await foreach, which pages by itself (the fix moves s3.Paginators.ListObjectsV2(…).S3Objects read so)",
        ["OpenReadAsync"] = "Bucket.DownloadAsync into a stream",
        ["GetBlobsByHierarchyAsync"] = "Bucket.ListAsync(prefix, new ListOptions { Delimiter = \"/\" })",
        ["UploadAsync"] = "Bucket.UploadAsync or UploadFileAsync",
        ["DownloadAsync"] = "Bucket.DownloadAsync or DownloadFileAsync",
    };

    public static ProviderSdkRewrite Plan(InvocationExpressionSyntax invocation, SemanticModel model, CancellationToken cancellationToken) =>
        Plan(invocation, model, cancellationToken, catches: true);

    /// <summary>The plan for a call; with <paramref name="catches"/>, the <c>catch</c> clauses around it are weighed too.</summary>
    private static ProviderSdkRewrite Plan(InvocationExpressionSyntax invocation, SemanticModel model, CancellationToken cancellationToken, bool catches)
    {
        var plan = PlanCall(invocation, model, cancellationToken);
        return plan.WhyNot is null && catches ? Caught(invocation, plan, model, cancellationToken) : plan;
    }

    private static ProviderSdkRewrite PlanCall(InvocationExpressionSyntax invocation, SemanticModel model, CancellationToken cancellationToken)
    {
        if (model.GetSymbolInfo(invocation, cancellationToken).Symbol is not IMethodSymbol method)
        {
            return No("the call does not resolve to one method");
        }

        var type = method.ContainingType.ToDisplayString();
        var s3 = type is "Amazon.S3.IAmazonS3" or "Amazon.S3.AmazonS3Client";
        var transfer = type is "Amazon.S3.Transfer.TransferUtility" or "Amazon.S3.Transfer.ITransferUtility";
        var supported = (s3 && method.Name is "PutObjectAsync" or "DeleteObjectAsync" or "CopyObjectAsync" or "DeleteObjectsAsync")
            || (transfer && method.Name is "UploadAsync" or "DownloadAsync")
            || (type is "Azure.Storage.Blobs.BlobClient" or "Azure.Storage.Blobs.Specialized.BlobBaseClient" && method.Name is "DownloadToAsync")
            || (type == "Azure.Storage.Blobs.BlobContainerClient" && method.Name is "DeleteBlobIfExistsAsync" or "UploadBlobAsync")
            || (type is "Azure.Storage.Blobs.BlobClient" or "Azure.Storage.Blobs.Specialized.BlobBaseClient" && method.Name is "DeleteIfExistsAsync" or "UploadAsync");
        if (Reading(invocation, method, type, model, cancellationToken) is { } read)
        {
            return read;
        }

        if (!supported && method.Name.StartsWith("Get", System.StringComparison.Ordinal) && method.Name.EndsWith("Client", System.StringComparison.Ordinal))
        {
            return No("it only makes a client: once the calls made on it are moved to Infrar, delete it");
        }

        if (!supported && (method.ContainingType.Name.EndsWith("Response", System.StringComparison.Ordinal) || method.ContainingType.Name.EndsWith("Operation", System.StringComparison.Ordinal)))
        {
            return No("it works on the response of an earlier call: it goes when the fix moves that call, else move both by hand");
        }

        if (!supported && (method.Name is "PutBucketAsync" or "DeleteBucketAsync" or "ListBucketsAsync" or "DoesS3BucketExistV2Async" or "CreateBlobContainerAsync" or "DeleteBlobContainerAsync" or "GetBlobContainersAsync"
            || (type == "Azure.Storage.Blobs.BlobContainerClient" && method.Name is "CreateAsync" or "CreateIfNotExistsAsync" or "DeleteAsync" or "DeleteIfExistsAsync" or "ExistsAsync")))
        {
            return No("it makes, deletes or looks for a bucket, which Infrar declares in the OpenTofu it emits rather than at run time: once the code names the bucket by a constant (Storage.Bucket(\"name\")), remove the call");
        }

        if (!supported && ((type is "Azure.Storage.Blobs.BlobClient" or "Azure.Storage.Blobs.Specialized.BlobBaseClient" && method.Name == "DeleteAsync")
            || (type == "Azure.Storage.Blobs.BlobContainerClient" && method.Name == "DeleteBlobAsync")))
        {
            return No("it fails when the blob is missing, where Infrar's DeleteAsync succeeds: where that failure does not matter, call DeleteIfExistsAsync (or DeleteBlobIfExistsAsync) and the fix moves it");
        }

        if (!supported)
        {
            return No($"the fix does not move {method.ContainingType.Name}.{method.Name} yet" +
                (ByHand.TryGetValue(method.Name, out var instead) ? $"; use {instead}" : ""));
        }

        // A response kept in a local nothing reads (PutObjectResponse response = await …) is as good as discarded.
        // A response kept in a local nothing reads (PutObjectResponse response = await …) is as good as discarded, and so
        // is the task a method declared to return a plain Task hands on (Task SaveAsync() => s3.PutObjectAsync(…)).
        var discarded = ResultIsDiscarded(invocation);
        var unread = discarded ? null : UnreadResponse(invocation, model, cancellationToken);
        var handedOn = !discarded && unread is null && ReturnedAsTask(invocation, model, cancellationToken);
        if (!discarded && unread is null && !handedOn)
        {
            return Awaited(invocation) is { } awaited && LocalOf(awaited, model, cancellationToken) is var (response, _, _, scope)
                ? No($"its response is read for {MembersRead(response, scope, model, cancellationToken)}, and Infrar's call returns no response (it throws when it fails): move this call by hand")
                : No("its response is read, and Infrar returns its own results, not the SDK's response: move this call by hand");
        }

        var plan = Move(invocation, method, type, s3, transfer, model, cancellationToken);
        if (handedOn && plan.CloseAfter is not null)
        {
            return No("S3 closed its stream after the put, and the method hands the task on without awaiting it, so the fix has nowhere to close it: await the call");
        }

        return unread is not null && plan.Code is not null ? plan with { Discarded = unread } : plan;
    }

    /// <summary>The plan for a call the fix moves whose response is not read.</summary>
    private static ProviderSdkRewrite Move(
        InvocationExpressionSyntax invocation, IMethodSymbol method, string type, bool s3, bool transfer, SemanticModel model, CancellationToken cancellationToken)
    {
        // Infrar's names, qualified where the code already sees another type by one of them (its own Storage, say).
        var p = Qualify(model, invocation.SpanStart) ? "global::Infrar." : "";
        var arguments = invocation.ArgumentList.Arguments;
        ExpressionSyntax? Argument(string parameter) => arguments.FirstOrDefault(a => Parameter(a, method)?.Name == parameter)?.Expression;
        string Text(string parameter) => Argument(parameter)!.ToString();
        bool Has(string parameter) => Argument(parameter) is not null;
        bool Constant(string parameter) => Argument(parameter) is { } value && model.GetConstantValue(value, cancellationToken).HasValue;
        var token = Has("cancellationToken") ? ", " + Text("cancellationToken") : "";

        if (transfer)
        {
            return Transfer(method.Name, Argument, Has, Constant, Text, token, p, invocation, model, cancellationToken);
        }

        if (s3 && Has("request"))
        {
            if (RequestValues(Argument("request")!, invocation, model, cancellationToken) is not { } request)
            {
                return No(RequestUnread);
            }

            var (values, unused) = (request.Values, request.Declaration);
            if (method.Name == "DeleteObjectsAsync")
            {
                return DeleteBatch(invocation, values, unused, token, p, model, cancellationToken);
            }

            return method.Name switch
            {
                "PutObjectAsync" => PutObject(request, model, token, p, cancellationToken),
                "DeleteObjectAsync" when Extra(values, "BucketName", "Key") is { } extra => No($"the request {extra}"),
                "DeleteObjectAsync" when ConstantValue(values, "BucketName", model, cancellationToken) is null => No(NotConstantBucket),
                "DeleteObjectAsync" => Yes($"{p}Storage.Bucket({values["BucketName"]}).DeleteAsync({values["Key"]}{token})", unused: unused),
                "CopyObjectAsync" when Extra(values, "SourceBucket", "SourceKey", "DestinationBucket", "DestinationKey") is { } extra => No($"the request {extra}"),
                "CopyObjectAsync" when ConstantValue(values, "SourceBucket", model, cancellationToken) is not { } source
                    || ConstantValue(values, "DestinationBucket", model, cancellationToken) is not { } destination => No(NotConstantBucket),
                _ => Yes(ConstantValue(values, "SourceBucket", model, cancellationToken) == ConstantValue(values, "DestinationBucket", model, cancellationToken)
                    ? $"{p}Storage.Bucket({values["SourceBucket"]}).CopyAsync({values["SourceKey"]}, {values["DestinationKey"]}{token})"
                    : $"{p}Storage.Bucket({values["SourceBucket"]}).CopyToAsync({values["SourceKey"]}, {p}Storage.Bucket({values["DestinationBucket"]}), {values["DestinationKey"]}{token})", unused: unused),
            };
        }

        switch (type, method.Name)
        {
            case (_, "DeleteObjectAsync") when s3:
                return method.Parameters.Length > 3 ? No("it names a version, which Infrar does not address")
                    : !Constant("bucketName") ? No(NotConstantBucket)
                    : Yes($"{p}Storage.Bucket({Text("bucketName")}).DeleteAsync({Text("key")}{token})");
            case (_, "CopyObjectAsync") when s3:
                if (method.Parameters.Length > 5)
                {
                    return No("it names a version, which Infrar does not address");
                }

                if (!Constant("sourceBucket") || !Constant("destinationBucket"))
                {
                    return No(NotConstantBucket);
                }

                return Yes(model.GetConstantValue(Argument("sourceBucket")!, cancellationToken).Value as string == model.GetConstantValue(Argument("destinationBucket")!, cancellationToken).Value as string
                    ? $"{p}Storage.Bucket({Text("sourceBucket")}).CopyAsync({Text("sourceKey")}, {Text("destinationKey")}{token})"
                    : $"{p}Storage.Bucket({Text("sourceBucket")}).CopyToAsync({Text("sourceKey")}, {p}Storage.Bucket({Text("destinationBucket")}), {Text("destinationKey")}{token})");
            case (_, "PutObjectAsync"):
                return No("the request is not given as an object");
            case (_, "DownloadToAsync"):
                return !Only(arguments, method, "destination", "path", "cancellationToken") ? No("it passes transfer options or conditions the fix does not carry over")
                    : Blob(Receiver(invocation), model, cancellationToken) is not var (fromContainer, fromBlob) ? No(ContainerUnknown)
                    : Has("path") ? Yes($"{p}Storage.Bucket({fromContainer}).DownloadFileAsync({fromBlob}, {Text("path")}{token})")
                    : Yes($"{p}Storage.Bucket({fromContainer}).DownloadAsync({fromBlob}, {Text("destination")}{token})");
            case ("Azure.Storage.Blobs.BlobContainerClient", "DeleteBlobIfExistsAsync"):
                return !Only(arguments, method, "blobName", "cancellationToken") ? No("it sets snapshot or access conditions, which Infrar cannot express")
                    : ContainerName(Receiver(invocation), model, cancellationToken) is not { } deleteFrom ? No(ContainerUnknown)
                    : Yes($"{p}Storage.Bucket({deleteFrom}).DeleteAsync({Text("blobName")}{token})");
            case ("Azure.Storage.Blobs.BlobContainerClient", "UploadBlobAsync"):
                return !Only(arguments, method, "blobName", "content", "cancellationToken") ? No("it passes options Infrar cannot express")
                    : ContainerName(Receiver(invocation), model, cancellationToken) is not { } uploadTo ? No(ContainerUnknown)
                    : Yes($"{p}Storage.Bucket({uploadTo}).UploadAsync({Text("blobName")}, {Content(Argument("content")!, method)}{BlobSettings(null, null, overwrite: false, p)}{token})");
            case (_, "DeleteIfExistsAsync"):
                return !Only(arguments, method, "cancellationToken") ? No("it sets snapshot or access conditions, which Infrar cannot express")
                    : Blob(Receiver(invocation), model, cancellationToken) is not var (deleteContainer, deleteBlob) ? No(ContainerUnknown)
                    : Yes($"{p}Storage.Bucket({deleteContainer}).DeleteAsync({deleteBlob}{token})");
            default:
            {
                // BlobClient.UploadAsync: a stream or a file; overwrite false unless given as a constant, true with headers,
                // metadata or options (those overloads overwrite unless conditions say otherwise).
                if (!Only(arguments, method, "content", "path", "overwrite", "httpHeaders", "metadata", "options", "cancellationToken") || !(Has("content") || Has("path")))
                {
                    return No("it passes upload options (tags, access tier, conditions, progress, transfer options) Infrar cannot express");
                }

                bool? overwrite = Has("httpHeaders") || Has("metadata") || Has("options") ? true
                    : !Has("overwrite") ? false
                    : model.GetConstantValue(Argument("overwrite")!, cancellationToken) is { HasValue: true, Value: bool value } ? value
                    : null;
                if (overwrite is not { } replace)
                {
                    return No("whether it overwrites is not a constant");
                }

                if (Blob(Receiver(invocation), model, cancellationToken) is not var (container, blob))
                {
                    return No(ContainerUnknown);
                }

                var headers = Argument("httpHeaders");
                var metadata = Argument("metadata");
                if (Argument("options") is { } uploadOptions)
                {
                    if (Initializer(uploadOptions) is not { } set || set.Keys.FirstOrDefault(k => k is not ("HttpHeaders" or "Metadata")) is { } unsupported)
                    {
                        return No("its BlobUploadOptions set more than HttpHeaders and Metadata in an initializer, which Infrar cannot express");
                    }

                    headers = set.TryGetValue("HttpHeaders", out var h) ? h : null;
                    metadata = set.TryGetValue("Metadata", out var m) ? m : null;
                }

                if (BlobSettings(headers, metadata, replace, p) is not { } settings)
                {
                    return No("its headers set more than ContentType, or its metadata is not a new Dictionary<string, string>, which the fix cannot carry over");
                }

                var tail = settings + (settings.Length == 0 && token.Length > 0 ? ", cancellationToken: " + token.Substring(2) : token);
                return Has("path") ? Yes($"{p}Storage.Bucket({container}).UploadFileAsync({blob}, {Text("path")}{tail})")
                    : Yes($"{p}Storage.Bucket({container}).UploadAsync({blob}, {Content(Argument("content")!, method)}{tail})");
            }
        }
    }

    /// <summary>An Azure upload's content as Infrar takes it: a stream as it is, BinaryData as its bytes.</summary>
    private static string Content(ExpressionSyntax content, IMethodSymbol method) =>
        method.Parameters.Any(q => q.Name == "content" && q.Type.ToDisplayString() == "System.IO.Stream") ? content.ToString() : $"{content}.ToArray()";

    /// <summary>
    /// The <c>UploadOptions</c> argument that keeps what an Azure upload stored: its content type, or
    /// <c>application/octet-stream</c> when it named none (Blob Storage infers nothing from the name, where Infrar would);
    /// its metadata; <c>IfNotExists</c> when it did not overwrite. Null when the headers or metadata cannot be read.
    /// </summary>
    private static string? BlobSettings(ExpressionSyntax? headers, ExpressionSyntax? metadata, bool overwrite, string p)
    {
        var settings = new List<string>();
        if (headers is null)
        {
            settings.Add("ContentType = \"application/octet-stream\"");
        }
        else if (Initializer(headers) is { Count: 1 } header && header.TryGetValue("ContentType", out var contentType))
        {
            settings.Add($"ContentType = {contentType}");
        }
        else
        {
            return null;
        }

        if (metadata is ObjectCreationExpressionSyntax { Type: GenericNameSyntax { Identifier.ValueText: "Dictionary" } })
        {
            settings.Add($"Metadata = {metadata}");
        }
        else if (metadata is not null)
        {
            return null;
        }

        if (!overwrite)
        {
            settings.Add("IfNotExists = true");
        }

        return $", new {p}UploadOptions {{ {string.Join(", ", settings)} }}";
    }

    /// <summary>
    /// TransferUtility's uploads and downloads: a file (the key defaults to the file's name, as TransferUtility does), a
    /// stream (closed after the upload, as TransferUtility's AutoCloseStream does by default), or a request object.
    /// </summary>
    private static ProviderSdkRewrite Transfer(
        string name, System.Func<string, ExpressionSyntax?> argument, System.Func<string, bool> has, System.Func<string, bool> constant, System.Func<string, string> text,
        string token, string p, InvocationExpressionSyntax invocation, SemanticModel model, CancellationToken cancellationToken)
    {
        var tail = token.Length > 0 ? ", cancellationToken: " + token.Substring(2) : "";
        if (has("request"))
        {
            if (RequestValues(argument("request")!, invocation, model, cancellationToken) is not { } request)
            {
                return No(RequestUnread);
            }

            if (name == "UploadAsync")
            {
                return PutObject(request, model, token, p, cancellationToken);
            }

            var (values, unused) = (request.Values, request.Declaration);

            return Extra(values, "BucketName", "Key", "FilePath") is { } extra ? No($"the request {extra}")
                : ConstantValue(values, "BucketName", model, cancellationToken) is null ? No(NotConstantBucket)
                : Yes($"{p}Storage.Bucket({values["BucketName"]}).DownloadFileAsync({values["Key"]}, {values["FilePath"]}{token})", unused: unused);
        }

        if (!constant("bucketName"))
        {
            return No(NotConstantBucket);
        }

        var bucket = text("bucketName");
        if (name == "DownloadAsync")
        {
            return Yes($"{p}Storage.Bucket({bucket}).DownloadFileAsync({text("key")}, {text("filePath")}{token})");
        }

        if (has("stream"))
        {
            var stream = argument("stream")!;
            return Yes($"{p}Storage.Bucket({bucket}).UploadAsync({text("key")}, {stream}{tail})", OwnedByUsing(stream, model, cancellationToken) ? null : stream);
        }

        var key = has("key") ? text("key") : $"System.IO.Path.GetFileName({text("filePath")})";
        return Yes($"{p}Storage.Bucket({bucket}).UploadFileAsync({key}, {text("filePath")}{tail})");
    }

    private const string RequestUnread =
        "the request is not made with an object initializer of plain assignments (new PutObjectRequest { … }), inline or in a variable the call alone uses: move the call by hand";

    /// <summary>
    /// The properties a request sets: made inline, or in a local the call is the only use of (whose declaration goes too)
    /// but for <c>request.Metadata.Add(name, value);</c> or <c>request.Metadata[name] = value;</c> lines before the call,
    /// which go with it; null when it is made otherwise. Metadata lines show in the values as <c>Metadata</c>, so that a
    /// call that cannot carry metadata names it.
    /// </summary>
    private static Request? RequestValues(ExpressionSyntax request, InvocationExpressionSyntax invocation, SemanticModel model, CancellationToken cancellationToken)
    {
        StatementSyntax? declaration = null;
        var metadata = ImmutableArray<ExpressionStatementSyntax>.Empty;
        if (request is IdentifierNameSyntax)
        {
            if (RequestVariable(request, invocation, model, cancellationToken) is not { } declared)
            {
                return null;
            }

            (request, declaration, metadata) = declared;
        }

        if (Initializer(request) is not { } values)
        {
            return null;
        }

        if (metadata.Length > 0)
        {
            values["Metadata"] = metadata[0].Expression;
        }

        return new Request(values, declaration, metadata);
    }

    /// <summary>A request's properties, the declaration of the variable that held it, and the lines that added metadata to it.</summary>
    private sealed record Request(Dictionary<string, ExpressionSyntax> Values, StatementSyntax? Declaration, ImmutableArray<ExpressionStatementSyntax> MetadataLines);

    private const string NotConstantBucket =
        "the bucket name is not a constant, and Infrar declares each bucket by a constant logical name (its physical name comes from INFRAR_BUCKET_<NAME>): pass the name as a const string";

    private const string ContainerUnknown = "the container client is not made in this method from a constant container name (new BlobContainerClient(…, \"name\") or GetBlobContainerClient(\"name\"))";

    private static ProviderSdkRewrite No(string why) => new(null, null, null, why);

    private static ProviderSdkRewrite Yes(string code, ExpressionSyntax? closeAfter = null, StatementSyntax? unused = null) => new(code, closeAfter, unused, null);

    /// <summary>What a request sets beyond the properties named, or which of them it lacks; null when it sets exactly those.</summary>
    private static string? Extra(Dictionary<string, ExpressionSyntax> values, params string[] names) =>
        values.Keys.FirstOrDefault(k => !names.Contains(k)) is { } extra ? $"sets {extra}, which Infrar cannot express"
        : names.FirstOrDefault(n => !values.ContainsKey(n)) is { } missing ? $"sets no {missing}"
        : null;

    private static string? ConstantValue(Dictionary<string, ExpressionSyntax> values, string name, SemanticModel model, CancellationToken cancellationToken) =>
        values.TryGetValue(name, out var value) ? model.GetConstantValue(value, cancellationToken).Value as string : null;

    /// <summary>
    /// <c>new PutObjectRequest { BucketName = "b", Key = k, InputStream | ContentBody | FilePath = x, ContentType = t,
    /// AutoCloseStream = false }</c>, and nothing else. The stream S3 would have closed (AutoCloseStream is true unless
    /// set false) is closed after the put, unless a <c>using</c> in the method owns it already.
    /// </summary>
    private static ProviderSdkRewrite PutObject(Request request, SemanticModel model, string token, string p, CancellationToken cancellationToken)
    {
        var (values, unused) = (request.Values, request.Declaration);
        if (values.Keys.FirstOrDefault(k => !PutProperties.Contains(k)) is { } extra)
        {
            return No($"the request sets {extra}, which Infrar cannot express (it carries a key, content, content type and metadata)");
        }

        if (!values.TryGetValue("BucketName", out var bucket) || !model.GetConstantValue(bucket, cancellationToken).HasValue)
        {
            return No(NotConstantBucket);
        }

        if (!values.TryGetValue("Key", out var key))
        {
            return No("the request names no key");
        }

        var autoClose = true;
        if (values.TryGetValue("AutoCloseStream", out var close))
        {
            if (model.GetConstantValue(close, cancellationToken) is not { HasValue: true, Value: bool constant })
            {
                return No("AutoCloseStream is not a constant, so who closes the stream after the move cannot be kept");
            }

            autoClose = constant;
        }

        ExpressionSyntax? closeAfter = null;
        if (values.TryGetValue("InputStream", out var input) && autoClose && !OwnedByUsing(input, model, cancellationToken))
        {
            closeAfter = input;
        }

        var settings = new List<string>();
        if (values.TryGetValue("ContentType", out var contentType))
        {
            settings.Add($"ContentType = {contentType}");
        }

        if (values.ContainsKey("Metadata") && request.MetadataLines.Length == 0)
        {
            return No("the request's metadata is set in its initializer: add each entry with request.Metadata.Add(name, value) instead, or move the call by hand");
        }

        if (request.MetadataLines.Length > 0)
        {
            if (MetadataEntries(request.MetadataLines, model, cancellationToken) is not { } entries)
            {
                return No("a metadata name is not a constant string, so the name S3 stored (without x-amz-meta-, in lower case) cannot be written");
            }

            settings.Add($"Metadata = new System.Collections.Generic.Dictionary<string, string> {{ {string.Join(", ", entries)} }}");
        }

        var options = settings.Count > 0 ? $", new {p}UploadOptions {{ {string.Join(", ", settings)} }}" : "";
        var tail = options.Length > 0 ? options + token : token.Length > 0 ? ", cancellationToken: " + token.Substring(2) : "";
        var rewrite = values.TryGetValue("InputStream", out var stream) ? Yes($"{p}Storage.Bucket({bucket}).UploadAsync({key}, {stream}{tail})", closeAfter, unused)
            : values.TryGetValue("ContentBody", out var body) ? Yes($"{p}Storage.Bucket({bucket}).UploadAsync({key}, System.Text.Encoding.UTF8.GetBytes({body}){tail})", unused: unused)
            : values.TryGetValue("FilePath", out var path) ? Yes($"{p}Storage.Bucket({bucket}).UploadFileAsync({key}, {path}{tail})", unused: unused)
            : No("the request has no InputStream, ContentBody or FilePath");
        return rewrite.WhyNot is null ? rewrite with { Edits = [.. request.MetadataLines.Select(line => ((SyntaxNode)line, (string?)null))] } : rewrite;
    }

    /// <summary>
    /// The metadata a request's lines add, as dictionary entries: <c>["name"] = value</c>, the name as S3 stores it (its
    /// <c>x-amz-meta-</c> prefix off, in lower case); null when a name is not a constant string.
    /// </summary>
    private static List<string>? MetadataEntries(ImmutableArray<ExpressionStatementSyntax> lines, SemanticModel model, CancellationToken cancellationToken)
    {
        var entries = new List<string>();
        foreach (var line in lines)
        {
            var (name, value) = line.Expression switch
            {
                InvocationExpressionSyntax { ArgumentList.Arguments: { Count: 2 } add } => (add[0].Expression, add[1].Expression),
                AssignmentExpressionSyntax { Left: ElementAccessExpressionSyntax { ArgumentList.Arguments: { Count: 1 } index }, Right: var assigned } => (index[0].Expression, assigned),
                _ => (null!, null!),
            };
            if (name is null || model.GetConstantValue(name, cancellationToken).Value is not string text)
            {
                return null;
            }

            entries.Add($"[\"{MetadataName(text)}\"] = {value}");
        }

        return entries;
    }

    /// <summary>
    /// <c>await s3.DeleteObjectsAsync(new DeleteObjectsRequest { BucketName = "b", Objects = keys.Select(k =&gt; new
    /// KeyVersion { Key = k }).ToList() });</c> as a statement of its own: a loop deleting each key with Infrar (which
    /// deletes one object a request; a missing key is no error, as in S3's batch).
    /// </summary>
    private static ProviderSdkRewrite DeleteBatch(
        InvocationExpressionSyntax invocation, Dictionary<string, ExpressionSyntax> values, StatementSyntax? unused, string token, string p, SemanticModel model, CancellationToken cancellationToken)
    {
        if (values.Keys.FirstOrDefault(k => k is not ("BucketName" or "Objects")) is { } extra)
        {
            return No($"the request sets {extra}, which Infrar cannot express");
        }

        if (ConstantValue(values, "BucketName", model, cancellationToken) is null)
        {
            return No(NotConstantBucket);
        }

        // Objects = keys.Select(k => new KeyVersion { Key = … }).ToList()
        if (!values.TryGetValue("Objects", out var objects)
            || objects is not InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ToList", Expression: InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Select", Expression: var keys }, ArgumentList.Arguments: { Count: 1 } select } } }
            || select[0].Expression is not SimpleLambdaExpressionSyntax { Body: var made } lambda
            || Initializer((ExpressionSyntax)made) is not { Count: 1 } version
            || !version.TryGetValue("Key", out var key))
        {
            return No("its objects are not written as keys.Select(k => new KeyVersion { Key = k }).ToList(), so the keys (and that no version is named) cannot be read: delete each key with Bucket.DeleteAsync");
        }

        var statement = Awaited(invocation)?.Parent as StatementSyntax;
        if (statement is not ExpressionStatementSyntax { Parent: BlockSyntax })
        {
            return No("it is not a statement of its own in a block: delete each key with Bucket.DeleteAsync");
        }

        var loop = $"foreach (var {lambda.Parameter.Identifier.ValueText} in {keys})\n{{\nawait {p}Storage.Bucket({values["BucketName"]}).DeleteAsync({key}{token});\n}}";
        return Changes(unused is null ? [(statement, loop)] : [(statement, loop), (unused, null)]);
    }

    /// <summary>
    /// The plan with the <c>catch</c> clauses around the call weighed: a catch of a provider's exception would no longer
    /// see the errors Infrar throws, so the call is left, unless the catch picks out "not found" (S3's 404, NoSuchKey,
    /// NoSuchBucket; Blob Storage's 404, BlobNotFound, ContainerNotFound), reads no more of the exception than an
    /// Exception has, and every other request in its <c>try</c> is one the fix moves: then the catch becomes Infrar's
    /// (ObjectNotFoundException, BucketNotFoundException, or either).
    /// </summary>
    private static ProviderSdkRewrite Caught(InvocationExpressionSyntax invocation, ProviderSdkRewrite plan, SemanticModel model, CancellationToken cancellationToken)
    {
        var edits = plan.Edits.ToBuilder();
        var p = Qualify(model, invocation.SpanStart) ? "global::Infrar." : "";
        var attempts = invocation.Ancestors()
            .TakeWhile(node => node is not (MemberDeclarationSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax))
            .OfType<TryStatementSyntax>()
            .Where(attempt => attempt.Block.Span.Contains(invocation.Span) && !plan.Edits.Any(edit => edit.Node == attempt));
        foreach (var attempt in attempts)
        {
            foreach (var handler in attempt.Catches)
            {
                if (handler.Declaration is not { Type: var caughtType }
                    || model.GetTypeInfo(caughtType, cancellationToken).Type is not { } caught
                    || caught.ContainingNamespace?.ToDisplayString().Split('.')[0] is not ("Amazon" or "Azure" or "Google"))
                {
                    continue;
                }

                if (NotFoundCatch(handler, caught, p, model, cancellationToken) is not { } replacement)
                {
                    return No($"a catch of {caught.Name} around it would no longer see the errors Infrar throws (ObjectNotFoundException, StorageException), and it does not pick out \"not found\" alone: move the call and its catch together");
                }

                var left = attempt.Block.DescendantNodes().OfType<InvocationExpressionSyntax>()
                    .Where(call => call != invocation && IsProviderRequest(call, model, cancellationToken))
                    .FirstOrDefault(call => Plan(call, model, cancellationToken, catches: false).WhyNot is not null);
                if (left is not null)
                {
                    return No($"its catch of {caught.Name} also handles {left.Expression}, which the fix leaves, so the catch cannot become Infrar's: move them together");
                }

                edits.Add((handler, replacement));
            }
        }

        return plan with { Edits = edits.ToImmutable() };
    }

    /// <summary>
    /// Infrar's catch for a provider's "not found" catch, keeping its variable and body, or null when it catches more,
    /// or reads the provider's own members of the exception.
    /// </summary>
    private static string? NotFoundCatch(CatchClauseSyntax handler, ITypeSymbol caught, string p, SemanticModel model, CancellationToken cancellationToken)
    {
        var name = handler.Declaration!.Identifier.ValueText;
        var found = NotFoundKind(handler, caught);
        if (found is null || model.GetDeclaredSymbol(handler.Declaration, cancellationToken) is not ILocalSymbol exception)
        {
            return null;
        }

        // In the body, the exception may be passed on or read as any Exception is; not for the provider's members.
        string[] exceptionMembers = ["Message", "InnerException", "StackTrace", "Data", "Source", "HResult", "ToString", "GetType"];
        var uses = References(exception, handler.Block, model, cancellationToken).ToList();
        if (uses.Any(use => use.Parent is MemberAccessExpressionSyntax access && access.Expression == use && !exceptionMembers.Contains(access.Name.Identifier.ValueText)))
        {
            return null;
        }

        var declared = uses.Count > 0 ? $" {name}" : "";
        var header = found switch
        {
            "object" => $"catch ({p}ObjectNotFoundException{declared})",
            "bucket" => $"catch ({p}BucketNotFoundException{declared})",
            _ => $"catch ({p}StorageException {name}) when ({name} is {p}ObjectNotFoundException or {p}BucketNotFoundException)",
        };
        // The line break that ended the catch's header, then its block as it was.
        var lineBreak = (handler.Filter?.GetLastToken() ?? handler.Declaration.GetLastToken()).TrailingTrivia.ToFullString();
        return header + lineBreak + handler.Block.ToFullString().TrimEnd();
    }

    /// <summary>
    /// What "not found" a catch of a provider's exception picks out by its filter: <c>object</c> (S3's NoSuchKey, Blob
    /// Storage's BlobNotFound), <c>bucket</c> (NoSuchBucket, ContainerNotFound) or <c>either</c> (a 404, S3's NotFound);
    /// null when it picks out anything else, or has no filter or variable.
    /// </summary>
    private static string? NotFoundKind(CatchClauseSyntax handler, ITypeSymbol caught)
    {
        var name = handler.Declaration?.Identifier.ValueText ?? "";
        if (handler.Filter is not { FilterExpression: var filter } || name.Length == 0)
        {
            return null;
        }

        var test = Regex.Replace(filter.ToString(), @"\s+", "");
        var member = test.StartsWith(name + ".", System.StringComparison.Ordinal) ? test.Substring(name.Length + 1) : "";
        return (caught.ToDisplayString(), member) switch
        {
            ("Amazon.S3.AmazonS3Exception", "StatusCode==HttpStatusCode.NotFound" or "StatusCode==System.Net.HttpStatusCode.NotFound" or "ErrorCode==\"NotFound\"") => "either",
            ("Amazon.S3.AmazonS3Exception", "ErrorCode==\"NoSuchKey\"") => "object",
            ("Amazon.S3.AmazonS3Exception", "ErrorCode==\"NoSuchBucket\"") => "bucket",
            ("Azure.RequestFailedException", "Status==404" or "Status==(int)HttpStatusCode.NotFound" or "Status==(int)System.Net.HttpStatusCode.NotFound") => "either",
            ("Azure.RequestFailedException", "ErrorCode==\"BlobNotFound\"" or "ErrorCode==BlobErrorCode.BlobNotFound") => "object",
            ("Azure.RequestFailedException", "ErrorCode==\"ContainerNotFound\"" or "ErrorCode==BlobErrorCode.ContainerNotFound") => "bucket",
            _ => null,
        };
    }

    /// <summary>Whether a call is a request on a provider's SDK (not one that only makes a client).</summary>
    private static bool IsProviderRequest(InvocationExpressionSyntax call, SemanticModel model, CancellationToken cancellationToken) =>
        model.GetSymbolInfo(call, cancellationToken).Symbol is IMethodSymbol method
        && ProviderSdkAnalyzer.ProviderOf(method.ContainingType) is not null
        && !(method.Name.StartsWith("Get", System.StringComparison.Ordinal) && method.Name.EndsWith("Client", System.StringComparison.Ordinal));

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
    /// and never named again but by the call and by lines of that block that add metadata to it: its initializer, the
    /// statement to remove, and those lines.
    /// </summary>
    private static (ExpressionSyntax Request, StatementSyntax Declaration, ImmutableArray<ExpressionStatementSyntax> Metadata)? RequestVariable(
        ExpressionSyntax reference, InvocationExpressionSyntax invocation, SemanticModel model, CancellationToken cancellationToken)
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

        var metadata = ImmutableArray.CreateBuilder<ExpressionStatementSyntax>();
        foreach (var name in References(local, block, model, cancellationToken))
        {
            if (name == reference)
            {
                continue;
            }

            // request.Metadata.Add(name, value); or request.Metadata[name] = value; alone in a statement of the block,
            // between the declaration and the call.
            var line = name.Parent is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Metadata" } metadataAccess
                ? metadataAccess.Parent switch
                {
                    MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Add", Parent: InvocationExpressionSyntax { Parent: ExpressionStatementSyntax added } } => added,
                    ElementAccessExpressionSyntax { Parent: AssignmentExpressionSyntax { Parent: ExpressionStatementSyntax assigned } assignment } element
                        when assignment.Left == element => assigned,
                    _ => null,
                }
                : null;
            if (line is null || line.Parent != block
                || block.Statements.IndexOf(line) < block.Statements.IndexOf(statement)
                || block.Statements.IndexOf(line) > block.Statements.IndexOf(callStatement)
                || line.DescendantNodes().OfType<IdentifierNameSyntax>().Count(n => n.Identifier.ValueText == local.Name) != 1)
            {
                return null;
            }

            metadata.Add(line);
        }

        return (value, statement, metadata.ToImmutable());
    }

    /// <summary>Every name in a block that refers to the local (or parameter).</summary>
    private static IEnumerable<IdentifierNameSyntax> References(ISymbol local, SyntaxNode scope, SemanticModel model, CancellationToken cancellationToken) =>
        scope.DescendantNodes().OfType<IdentifierNameSyntax>()
            .Where(name => name.Identifier.ValueText == local.Name && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, cancellationToken).Symbol, local));

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
    private static string? ContainerName(ExpressionSyntax? receiver, SemanticModel model, CancellationToken cancellationToken) =>
        ContainerNameExpression(receiver, model, cancellationToken) is { } name && model.GetConstantValue(name, cancellationToken).HasValue ? name.ToString() : null;

    /// <summary>
    /// The expressions that name buckets in a provider call, constant or not: its bucket arguments, its request's
    /// bucket properties, or the container name its Blob client was made with in the same method.
    /// </summary>
    public static IEnumerable<ExpressionSyntax> BucketNames(InvocationExpressionSyntax invocation, SemanticModel model, CancellationToken cancellationToken)
    {
        if (model.GetSymbolInfo(invocation, cancellationToken).Symbol is not IMethodSymbol method)
        {
            yield break;
        }

        foreach (var argument in invocation.ArgumentList.Arguments)
        {
            var parameter = Parameter(argument, method)?.Name;
            if (parameter is "bucketName" or "sourceBucket" or "destinationBucket")
            {
                yield return argument.Expression;
            }
            else if (parameter == "request" && RequestValues(argument.Expression, invocation, model, cancellationToken) is { } request)
            {
                foreach (var property in new[] { "BucketName", "SourceBucket", "DestinationBucket" })
                {
                    if (request.Values.TryGetValue(property, out var value))
                    {
                        yield return value;
                    }
                }
            }
        }

        var receiver = Receiver(invocation);
        if (Initial(receiver, model, cancellationToken) is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "GetBlobClient", Expression: var container } })
        {
            receiver = container;
        }

        if (ContainerNameExpression(receiver, model, cancellationToken) is { } name)
        {
            yield return name;
        }
    }

    /// <summary>The container name a Blob container client was made with in the same method, constant or not.</summary>
    private static ExpressionSyntax? ContainerNameExpression(ExpressionSyntax? receiver, SemanticModel model, CancellationToken cancellationToken)
    {
        if (Initial(receiver, model, cancellationToken) is not { } value)
        {
            return null;
        }

        return value switch
        {
            ObjectCreationExpressionSyntax { ArgumentList.Arguments: { Count: 2 } creation } => creation[1].Expression,
            ImplicitObjectCreationExpressionSyntax { ArgumentList.Arguments: { Count: 2 } creation } => creation[1].Expression,
            InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "GetBlobContainerClient" }, ArgumentList.Arguments: { Count: 1 } get } => get[0].Expression,
            _ => null,
        };
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

    /// <summary>
    /// Whether the call's task is returned, unawaited, by a method or local function declared to return a plain
    /// <c>Task</c> (so no caller can see the response): <c>Task SaveAsync() =&gt; s3.PutObjectAsync(…);</c>.
    /// </summary>
    private static bool ReturnedAsTask(InvocationExpressionSyntax invocation, SemanticModel model, CancellationToken cancellationToken)
    {
        if (invocation.Parent is not (ArrowExpressionClauseSyntax or ReturnStatementSyntax))
        {
            return false;
        }

        var function = invocation.Ancestors().FirstOrDefault(a => a is MemberDeclarationSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax);
        var symbol = function is null or AnonymousFunctionExpressionSyntax ? null : model.GetDeclaredSymbol(function, cancellationToken) as IMethodSymbol;
        return symbol is { IsAsync: false } && symbol.ReturnType.ToDisplayString() == "System.Threading.Tasks.Task";
    }

    /// <summary><c>PutObjectResponse response = await call;</c> with <c>response</c> named nowhere: that declaration, or null.</summary>
    private static LocalDeclarationStatementSyntax? UnreadResponse(InvocationExpressionSyntax invocation, SemanticModel model, CancellationToken cancellationToken) =>
        Awaited(invocation) is { } awaited
        && LocalOf(awaited, model, cancellationToken) is var (local, statement, _, block)
        && statement.UsingKeyword.RawKind == 0
        && !References(local, block, model, cancellationToken).Any()
            ? statement
            : null;

    /// <summary>Whether a name of Infrar's already means something else here, so the fix must write <c>global::Infrar.</c>.</summary>
    private static bool Qualify(SemanticModel model, int position) =>
        InfrarNames.Any(name => model.LookupNamespacesAndTypes(position, name: name).Any(symbol => symbol.ContainingNamespace?.ToDisplayString() != "Infrar"));
}
