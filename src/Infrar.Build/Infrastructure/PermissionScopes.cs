namespace Infrar.Build.Infrastructure;

/// <summary>
/// Where a permission applies: a bucket's objects, the bucket itself, the storage account, the app's own identity, a
/// queue, or a queue's dead-letter queue.
/// </summary>
internal enum GrantScope
{
    Objects,
    Bucket,
    Account,
    Self,
    Queue,
    DeadLetters,
}

/// <summary>How the catalog writes a permission's scope: a prefix before the action, none for a resource's objects.</summary>
internal static class PermissionScopes
{
    /// <summary>Splits a catalog permission into its scope and action: <c>bucket:s3:ListBucket</c>, <c>account:…</c>, <c>self:…</c>, or an object permission.</summary>
    public static (GrantScope Scope, string Action) Parse(string permission) => permission switch
    {
        _ when permission.StartsWith("bucket:", StringComparison.Ordinal) => (GrantScope.Bucket, permission["bucket:".Length..]),
        _ when permission.StartsWith("account:", StringComparison.Ordinal) => (GrantScope.Account, permission["account:".Length..]),
        _ when permission.StartsWith("self:", StringComparison.Ordinal) => (GrantScope.Self, permission["self:".Length..]),
        _ when permission.StartsWith("queue:", StringComparison.Ordinal) => (GrantScope.Queue, permission["queue:".Length..]),
        _ when permission.StartsWith("dead-letters:", StringComparison.Ordinal) => (GrantScope.DeadLetters, permission["dead-letters:".Length..]),
        _ => (GrantScope.Objects, permission),
    };
}
