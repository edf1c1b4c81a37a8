using Infrar.Build.Manifest;
using Infrar.Generators.Catalog;

namespace Infrar.Build.Infrastructure;

/// <summary>One permission on one scope, with the call sites that need it; <see cref="BucketName"/> names the bucket or queue.</summary>
internal sealed record Grant(string? BucketName, GrantScope Scope, string Action, IReadOnlyList<string> CallSites)
{
    /// <summary>How the grant reads in a baseline file and in messages: <c>photos: s3:GetObject</c>, <c>photos (bucket): s3:ListBucket</c>.</summary>
    public string Key => Scope switch
    {
        GrantScope.Objects => $"{BucketName}: {Action}",
        GrantScope.Bucket => $"{BucketName} (bucket): {Action}",
        GrantScope.Account => $"(account): {Action}",
        GrantScope.Queue => $"{BucketName} (queue): {Action}",
        GrantScope.DeadLetters => $"{BucketName} (dead-letter queue): {Action}",
        _ => $"(self): {Action}",
    };
}

/// <summary>
/// The least privilege the code needs: for each call, the catalog's permissions for its operation on this provider,
/// granted on exactly the bucket the call touches (and, for copies, the destination's permissions on the destination).
/// </summary>
internal static class GrantPlanner
{
    public static IReadOnlyList<Grant> Plan(ProjectModel model, CapabilityBinding? storage, CapabilityBinding? queues = null)
    {
        var grants = new Dictionary<(string? Bucket, GrantScope Scope, string Action), SortedSet<string>>();
        if (storage is null)
        {
            return [];
        }

        // A queue call's actions on exactly the queue it was traced to, or on that queue's dead-letter queue.
        var declaredQueues = model.Queues.Select(q => q.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var call in model.Calls.Where(c => c.Queue is not null && declaredQueues.Contains(c.Queue)))
        {
            if (queues is null || !queues.Operations.TryGetValue(call.Operation, out var queueTemplate))
            {
                continue;
            }

            foreach (var permission in queueTemplate.Permissions)
            {
                // A permission the catalog scopes to the dead-letter queue (the move there) is not needed by a call on it.
                if (permission.StartsWith("dead-letters:", StringComparison.Ordinal))
                {
                    if (!call.DeadLetters)
                    {
                        Add(call.Queue!, permission, call.At);
                    }
                }
                else
                {
                    Add(call.Queue!, (call.DeadLetters ? "dead-letters:" : "queue:") + permission, call.At);
                }
            }
        }

        // Only declared buckets get resources, so only they get grants: a grant counted is a grant written.
        var declared = model.Buckets.Select(b => b.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var call in model.Calls)
        {
            if (call.Bucket is null || !declared.Contains(call.Bucket) || !storage.Operations.TryGetValue(call.Operation, out var template))
            {
                continue;
            }

            foreach (var permission in template.Permissions)
            {
                Add(call.Bucket, permission, call.At);
            }

            if (call.Destination is not null && declared.Contains(call.Destination))
            {
                foreach (var permission in template.DestinationPermissions)
                {
                    Add(call.Destination, permission, call.At);
                }
            }
        }

        return [.. grants
            .Select(g => new Grant(g.Key.Bucket, g.Key.Scope, g.Key.Action, [.. g.Value]))
            .OrderBy(g => g.Scope is GrantScope.Queue or GrantScope.DeadLetters)
            .ThenBy(g => g.Scope is GrantScope.Account or GrantScope.Self)
            .ThenBy(g => g.BucketName, StringComparer.Ordinal)
            .ThenBy(g => g.Scope)
            .ThenBy(g => g.Action, StringComparer.Ordinal)];

        void Add(string bucket, string permission, string site)
        {
            var (scope, action) = PermissionScopes.Parse(permission);
            var key = (scope is GrantScope.Account or GrantScope.Self ? null : bucket, scope, action);
            if (!grants.TryGetValue(key, out var sites))
            {
                grants[key] = sites = new SortedSet<string>(CallSites.Comparer);
            }

            sites.Add(site);
        }
    }
}
