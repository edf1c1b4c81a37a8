using Infrar.Generators.Diagnostics;
using Infrar.Build.Manifest;

namespace Infrar.Build.Infrastructure;

/// <summary>A guardrail the code breaks: its rule, message and the source line to fix.</summary>
internal sealed record Violation(string Code, string Message, string Site);

/// <summary>
/// What the build refuses unless the code says, in so many words, that it wants it: a public bucket
/// (<c>[assembly: AllowPublicBucket("name")]</c>) and a grant wider than one action on one bucket
/// (<c>[assembly: AllowWideGrant("name")]</c>).
/// </summary>
internal static class Guardrails
{
    public const string PublicBucket = InfrarCodes.PublicBucket;
    public const string WideGrant = InfrarCodes.WideGrant;

    public static IReadOnlyList<Violation> Check(ProjectModel model, IReadOnlyList<Grant> grants, Allowances allowances)
    {
        var violations = new List<Violation>();
        foreach (var bucket in model.Buckets.Where(b => b.Public && !allowances.PublicBuckets.Contains(b.Name)))
        {
            violations.Add(new Violation(
                PublicBucket,
                $"Bucket '{bucket.Name}' is declared public, which lets anyone read every object in it. If that is intended, allow it in code with [assembly: Infrar.AllowPublicBucket(\"{bucket.Name}\")].",
                bucket.DeclaredAt));
        }

        foreach (var grant in grants.Where(g => g.Action.Contains('*', StringComparison.Ordinal) && !allowances.WideGrants.Contains(g.BucketName ?? "*")))
        {
            violations.Add(new Violation(
                WideGrant,
                $"The grant '{grant.Key}' is wider than any call needs: '{grant.Action}' allows every matching action. If that is intended, allow it in code with [assembly: Infrar.AllowWideGrant(\"{grant.BucketName ?? "*"}\")].",
                grant.CallSites.FirstOrDefault() ?? ""));
        }

        return violations;
    }
}
