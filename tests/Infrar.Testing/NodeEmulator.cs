using System.Diagnostics;
using System.Text;
using Infrar.Testing;

namespace Infrar.Testing;

/// <summary>An emulator from the npm registry (tests/emulators), run with node on a loopback port and stopped with its process tree.</summary>
public sealed class NodeEmulator : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private NodeEmulator(string name, Process process, int port)
    {
        Name = name;
        _process = process;
        Port = port;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }

    public int Port { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts <c>node &lt;script&gt; &lt;arguments&gt;</c> from tests/emulators and waits until the port accepts connections.</summary>
    public static async Task<NodeEmulator> StartAsync(string name, string script, int port, params string[] arguments)
    {
        var folder = Path.Combine(RepositoryRoot.Path, "tests", "emulators");
        if (!Directory.Exists(Path.Combine(folder, "node_modules")))
        {
            throw new InvalidOperationException($"{name} is not installed: run ./test.sh, or 'npm ci' in {folder}.");
        }

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // s3rver's continuation tokens use DES, which Node 20 offers only through its legacy OpenSSL provider: without
        // it every truncated listing fails with InternalError.
        start.Environment["NODE_OPTIONS"] = "--openssl-legacy-provider";
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var emulator = new NodeEmulator(name, Process.Start(start) ?? throw new InvalidOperationException($"could not start node for {name}"), port);
        try
        {
            await FreePort.WaitUntilListeningAsync(port, name, TimeSpan.FromSeconds(60), () => emulator.Output, () => emulator._process.HasExited);
        }
        catch
        {
            emulator.Dispose();
            throw;
        }

        return emulator;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
