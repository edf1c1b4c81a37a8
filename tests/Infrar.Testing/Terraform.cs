using System.Diagnostics;

namespace Infrar.Testing;

/// <summary>Runs the terraform binary offline (OpenTofu reads the same language): no version check, no user configuration.</summary>
public static class Terraform
{
    public static async Task<CommandResult> RunAsync(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("terraform")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-chdir=" + workingDirectory);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var emptyConfig = Path.Combine(Path.GetTempPath(), "infrar-terraformrc-empty");
        File.WriteAllText(emptyConfig, "");
        start.Environment["CHECKPOINT_DISABLE"] = "1";
        start.Environment["TF_CLI_CONFIG_FILE"] = emptyConfig;
        start.Environment["TF_IN_AUTOMATION"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new CommandResult(process.ExitCode, await stdout + await stderr);
    }
}
