namespace Infrar.Platform.Deployments;

/// <summary>
/// The states a deployment moves through. A deploy: queued → building (from source only) → planning → policy_denied (a guardrail refused the plan;
/// an admin's waiver moves it on) → awaiting_approval (protected environments) → applying → succeeded or failed. A
/// destroy: destroy_queued → planning → awaiting_approval (protected environments) → destroying → destroyed or failed.
/// Either can be cancelled before it changes anything.
/// </summary>
internal static class DeploymentStatus
{
    public const string Queued = "queued";
    public const string Building = "building";
    public const string Planning = "planning";
    public const string PolicyDenied = "policy_denied";
    public const string AwaitingApproval = "awaiting_approval";
    public const string Applying = "applying";
    public const string Succeeded = "succeeded";
    public const string Unhealthy = "unhealthy";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
    public const string DestroyQueued = "destroy_queued";
    public const string Destroying = "destroying";
    public const string Destroyed = "destroyed";

    public const string Deploy = "deploy";
    public const string Destroy = "destroy";

    private static readonly Dictionary<string, string[]> Next = new(StringComparer.Ordinal)
    {
        [Queued] = [Building, Planning, Cancelled],
        [Building] = [Planning, Failed],
        [DestroyQueued] = [Planning, Cancelled],
        [Planning] = [PolicyDenied, AwaitingApproval, Applying, Destroying, Failed],
        [PolicyDenied] = [AwaitingApproval, Applying, Cancelled],
        [AwaitingApproval] = [Applying, Destroying, Cancelled],
        [Applying] = [Succeeded, Unhealthy, Failed],
        [Destroying] = [Destroyed, Failed],
        [Succeeded] = [],
        [Unhealthy] = [],
        [Failed] = [],
        [Cancelled] = [],
        [Destroyed] = [],
    };

    /// <summary>The states only one kind of deployment reaches.</summary>
    private static readonly Dictionary<string, string> KindOf = new(StringComparer.Ordinal)
    {
        [Queued] = Deploy,
        [Building] = Deploy,
        [PolicyDenied] = Deploy,
        [Applying] = Deploy,
        [Succeeded] = Deploy,
        [Unhealthy] = Deploy,
        [DestroyQueued] = Destroy,
        [Destroying] = Destroy,
        [Destroyed] = Destroy,
    };

    /// <summary>The states in which a process may be running for the deployment.</summary>
    public static readonly IReadOnlySet<string> Working = new HashSet<string>(StringComparer.Ordinal) { Building, Planning, Applying, Destroying };

    /// <summary>The states in which a deployment waits for a person (an approval or a waiver), holding its environment.</summary>
    public static readonly IReadOnlySet<string> Waiting = new HashSet<string>(StringComparer.Ordinal) { AwaitingApproval, PolicyDenied };

    public static bool IsTerminal(string status) => Next.TryGetValue(status, out var next) && next.Length == 0;

    /// <summary>The state a plan's approval (or a waiver with no approval needed) leads to.</summary>
    public static string Executing(string kind) => kind == Destroy ? Destroying : Applying;

    public static bool CanMove(string kind, string from, string to) =>
        Next.TryGetValue(from, out var next) && next.Contains(to, StringComparer.Ordinal) &&
        (!KindOf.TryGetValue(to, out var only) || only == kind);

    /// <summary>Refuses a move the state machine does not allow, naming both states and what is allowed.</summary>
    public static void EnsureCanMove(long deployment, string kind, string from, string to)
    {
        if (!CanMove(kind, from, to))
        {
            var allowed = Next.TryGetValue(from, out var next) ? next.Where(n => CanMove(kind, from, n)).ToList() : [];
            throw new IllegalTransitionException(
                $"Deployment {deployment} ({kind}) is {from} and cannot become {to}; from {from} it can become {(allowed.Count > 0 ? string.Join(", ", allowed) : "nothing: it has ended")}.");
        }
    }
}

/// <summary>A move the deployment state machine does not allow; the API answers 409.</summary>
internal sealed class IllegalTransitionException(string message) : Exception(message);
