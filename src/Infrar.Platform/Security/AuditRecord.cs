using System.Globalization;
using Microsoft.AspNetCore.Routing;

namespace Infrar.Platform.Security;

/// <summary>
/// One audit row: who did what to which target, and what came of it. A request that changes something writes its
/// record in the transaction of the change (so a committed change always has its row, and a rolled back one none);
/// <see cref="Written"/> then tells the middleware that the request is accounted for.
/// </summary>
internal sealed class AuditRecord(string actor, string action, string target, string outcome)
{
    public long At { get; } = Data.Database.Now();

    public string Actor { get; } = actor;

    public string Action { get; } = action;

    public string Target { get; } = target;

    public string Outcome { get; set; } = outcome;

    /// <summary>How many requests the row stands for: 1, or a count when refusals were folded together.</summary>
    public int Requests { get; init; } = 1;

    /// <summary>Set once the transaction that holds the row has committed.</summary>
    public bool Written { get; set; }
}

/// <summary>The audit record of the request being served.</summary>
internal static class RequestAudit
{
    private const string Item = "infrar.audit";
    private const string ReplayItem = "infrar.replayed";
    private const string ActorItem = "infrar.unverified-actor";

    /// <summary>
    /// The record of this request's change, with the status the caller is about to get: the store writes it with the
    /// change. Only for authenticated callers.
    /// </summary>
    public static AuditRecord For(HttpContext context, int status)
    {
        var record = new AuditRecord(Caller.Require(context).Name, Action(context), Target(context), Status(status));
        context.Items[Item] = record;
        return record;
    }

    /// <summary>The record of a request whose caller is not a token (a webhook, named by what it is for).</summary>
    public static AuditRecord ForActor(HttpContext context, string actor, int status)
    {
        var record = new AuditRecord(actor, Action(context), Target(context), Status(status));
        context.Items[Item] = record;
        return record;
    }

    /// <summary>The record the store wrote for this request, if any.</summary>
    public static AuditRecord? Of(HttpContext context) => context.Items.TryGetValue(Item, out var record) ? record as AuditRecord : null;

    /// <summary>Marks the answer as the replay of an earlier request with the same Idempotency-Key: it changed nothing.</summary>
    public static void MarkReplayed(HttpContext context, string of) => context.Items[ReplayItem] = of;

    /// <summary>The outcome a request that changed nothing gets in the audit log: its status, and what it replayed.</summary>
    public static string Outcome(HttpContext context, int status) =>
        context.Items.TryGetValue(ReplayItem, out var of) && of is string replayed ? $"{Status(status)} replayed {replayed}" : Status(status);

    /// <summary>
    /// The token's owner as last seen, when the database could not confirm the token (it was unavailable): only to
    /// say who was refused in the audit log, never to let the request in.
    /// </summary>
    public static void SetUnverifiedActor(HttpContext context, string name) => context.Items[ActorItem] = name;

    public static string? UnverifiedActor(HttpContext context) => context.Items.TryGetValue(ActorItem, out var name) ? name as string : null;

    public static string Action(HttpContext context) =>
        $"{context.Request.Method} {(context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path.Value ?? ""}";

    public static string Target(HttpContext context) => context.Request.Path.Value ?? "";

    private static string Status(int status) => status.ToString(CultureInfo.InvariantCulture);
}
