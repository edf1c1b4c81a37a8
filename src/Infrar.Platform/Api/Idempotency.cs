using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Infrar.Platform.Data;
using Infrar.Platform.Security;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Infrar.Platform.Api;

/// <summary>
/// <c>Idempotency-Key</c> on the requests that start work (a deployment, a destroy): a client that retries after a
/// timeout or a 503 sends the same key, and gets the first answer back instead of starting the work twice. Keys are
/// the caller's own (two tokens may use the same key), kept for a day, and bound to the request they came with.
/// </summary>
internal static class Idempotency
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";

    /// <summary>The request's key with a hash of what it asks (<paramref name="request"/>), or null without the header.</summary>
    public static IdempotentRequest? Of(HttpContext context, object? request)
    {
        var values = context.Request.Headers[Header];
        if (values.Count == 0)
        {
            return null;
        }

        if (values.Count > 1 || values[0] is not { Length: >= 1 and <= 200 } key || key.Any(c => c is < '!' or > '~'))
        {
            throw new InputException($"{Header} must be one value of 1 to 200 visible ASCII characters (a UUID is a good key).");
        }

        var what = $"{context.Request.Method} {context.Request.Path.Value}\n{JsonSerializer.Serialize(request, JsonOptions(context))}";
        return new IdempotentRequest(Caller.Require(context).Name, key, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(what))));
    }

    /// <summary>The answer to keep for retries: <paramref name="body"/> as the API serializes it.</summary>
    public static StoredAnswer Keep(HttpContext context, int status, string? location, object body) =>
        new(status, location, JsonSerializer.Serialize(body, JsonOptions(context)));

    /// <summary>Sends a kept answer; a replay says so in a header and in the audit log.</summary>
    public static IResult Send(HttpContext context, StoredAnswer answer, bool replayed)
    {
        if (replayed)
        {
            context.Response.Headers[ReplayedHeader] = "true";
            RequestAudit.MarkReplayed(context, answer.Location ?? "");
        }

        if (answer.Location is not null)
        {
            context.Response.Headers.Location = answer.Location;
        }

        return Results.Content(answer.Body, "application/json; charset=utf-8", statusCode: answer.Status);
    }

    private static JsonSerializerOptions JsonOptions(HttpContext context) =>
        context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
}
