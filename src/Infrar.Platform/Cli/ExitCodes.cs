namespace Infrar.Platform.Cli;

/// <summary>What <c>infrar</c> exits with.</summary>
internal static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Success = 0;

    /// <summary>The command line is wrong (System.CommandLine's own code for a parse error).</summary>
    public const int Usage = 1;

    /// <summary>An input file is missing or malformed.</summary>
    public const int BadInput = 2;

    /// <summary>Done, but some quantity has no price, so a total is only a floor.</summary>
    public const int Incomplete = 3;

    /// <summary>The deployment ended failed (or was cancelled).</summary>
    public const int DeploymentFailed = 4;

    /// <summary>The plan is made and waits for another user's approval.</summary>
    public const int AwaitingApproval = 5;

    /// <summary>The service could not be reached, or refused the request.</summary>
    public const int ServiceError = 6;

    /// <summary>The plan broke a guardrail and waits for an admin's waiver (or a cancel).</summary>
    public const int PolicyDenied = 7;
}
