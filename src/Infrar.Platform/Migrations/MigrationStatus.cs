using Infrar.Platform.Deployments;

namespace Infrar.Platform.Migrations;

/// <summary>
/// The states a migration moves through (docs/migration.md): planning (the worker lists the source's objects) →
/// planned → awaiting_approval (a protected target) → provisioning (the target's deployment) → copying → verifying →
/// ready; from ready a catch-up pass copies again, or cutover makes the target live (cut_over); cleanup destroys the
/// source (cleaned_up). rolled_back returns to the source at any point before cleanup; failed and cancelled end it.
/// </summary>
internal static class MigrationStatus
{
    public const string Planning = "planning";
    public const string Planned = "planned";
    public const string AwaitingApproval = "awaiting_approval";
    public const string Provisioning = "provisioning";
    public const string Copying = "copying";
    public const string Verifying = "verifying";
    public const string Ready = "ready";
    public const string CutOver = "cut_over";
    public const string CleaningUp = "cleaning_up";
    public const string CleanedUp = "cleaned_up";
    public const string RolledBack = "rolled_back";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    private static readonly Dictionary<string, string[]> Next = new(StringComparer.Ordinal)
    {
        [Planning] = [Planned, Failed, Cancelled],
        [Planned] = [AwaitingApproval, Provisioning, Cancelled, RolledBack],
        [AwaitingApproval] = [Provisioning, Cancelled, RolledBack],
        [Provisioning] = [Copying, Failed, RolledBack],
        [Copying] = [Verifying, Failed, RolledBack],
        [Verifying] = [Ready, Failed, RolledBack],
        [Ready] = [Copying, CutOver, RolledBack],
        [CutOver] = [CleaningUp, RolledBack],
        [CleaningUp] = [CleanedUp, CutOver],
        [CleanedUp] = [],
        [RolledBack] = [],
        [Failed] = [Copying, RolledBack],
        [Cancelled] = [],
    };

    /// <summary>The states in which the worker has a step to run.</summary>
    public static readonly IReadOnlySet<string> Working = new HashSet<string>(StringComparer.Ordinal) { Planning, Provisioning, Copying, Verifying, CleaningUp };

    public static bool IsTerminal(string status) => Next.TryGetValue(status, out var next) && next.Length == 0;

    public static bool CanMove(string from, string to) => Next.TryGetValue(from, out var next) && next.Contains(to, StringComparer.Ordinal);

    /// <summary>Refuses a move the state machine does not allow, naming both states and what is allowed (the API answers 409).</summary>
    public static void EnsureCanMove(long migration, string from, string to)
    {
        if (!CanMove(from, to))
        {
            var allowed = Next.GetValueOrDefault(from) ?? [];
            throw new IllegalTransitionException(
                $"Migration {migration} is {from} and cannot become {to}; from {from} it can become {(allowed.Length > 0 ? string.Join(", ", allowed) : "nothing: it has ended")}.");
        }
    }
}

/// <summary>An object's place in the copy.</summary>
internal static class ObjectState
{
    public const string Pending = "pending";
    public const string Copying = "copying";
    public const string Copied = "copied";
    public const string Failed = "failed";
}

/// <summary>A migration's input that cannot work (a missing credential, an output that points elsewhere); it fails with this message.</summary>
internal sealed class MigrationInputException(string message) : Exception(message);
