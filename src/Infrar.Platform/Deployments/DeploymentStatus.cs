namespace Infrar.Platform.Deployments;

/// <summary>
/// The states a deployment moves through. A deploy: queued → planning → awaiting_approval (protected environments)
/// → applying → succeeded or failed; a destroy: destroy_queued → destroying → destroyed or failed. Either can be
/// cancelled before it changes anything.
/// </summary>
internal static class DeploymentStatus
{
    public const string Queued = "queued";
    public const string Planning = "planning";
    public const string AwaitingApproval = "awaiting_approval";
    public const string Applying = "applying";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
    public const string DestroyQueued = "destroy_queued";
    public const string Destroying = "destroying";
    public const string Destroyed = "destroyed";

    private static readonly Dictionary<string, string[]> Next = new(StringComparer.Ordinal)
    {
        [Queued] = [Planning, Cancelled],
        [Planning] = [AwaitingApproval, Applying, Failed],
        [AwaitingApproval] = [Applying, Cancelled],
        [Applying] = [Succeeded, Failed],
        [DestroyQueued] = [Destroying, Cancelled],
        [Destroying] = [Destroyed, Failed],
        [Succeeded] = [],
        [Failed] = [],
        [Cancelled] = [],
        [Destroyed] = [],
    };

    /// <summary>The states in which a process may be running for the deployment.</summary>
    public static readonly IReadOnlySet<string> Working = new HashSet<string>(StringComparer.Ordinal) { Planning, Applying, Destroying };

    public static bool IsTerminal(string status) => Next.TryGetValue(status, out var next) && next.Length == 0;

    public static bool CanMove(string from, string to) => Next.TryGetValue(from, out var next) && next.Contains(to, StringComparer.Ordinal);

    /// <summary>Refuses a move the state machine does not allow, naming both states and what is allowed.</summary>
    public static void EnsureCanMove(long deployment, string from, string to)
    {
        if (!CanMove(from, to))
        {
            var allowed = Next.TryGetValue(from, out var next) && next.Length > 0 ? string.Join(", ", next) : "nothing: it has ended";
            throw new IllegalTransitionException($"Deployment {deployment} is {from} and cannot become {to}; from {from} it can become {allowed}.");
        }
    }
}

/// <summary>A move the deployment state machine does not allow; the API answers 409.</summary>
internal sealed class IllegalTransitionException(string message) : Exception(message);
