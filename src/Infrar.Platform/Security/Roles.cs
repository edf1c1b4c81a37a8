namespace Infrar.Platform.Security;

/// <summary>What a token may do; each role includes those before it.</summary>
internal static class Roles
{
    public const string Viewer = "viewer";
    public const string Deployer = "deployer";
    public const string Approver = "approver";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Viewer, Deployer, Approver, Admin];

    public static bool IsKnown(string role) => All.Contains(role, StringComparer.Ordinal);

    public static bool Includes(string held, string needed) => IndexOf(held) >= IndexOf(needed);

    private static int IndexOf(string role)
    {
        for (var i = 0; i < All.Count; i++)
        {
            if (string.Equals(All[i], role, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
