namespace Infrar.Build.Infrastructure;

/// <summary>How the app is hosted: from MSBuild properties (<c>InfrarAppName</c>, <c>InfrarAppPort</c>, …).</summary>
/// <param name="Name">The service name: lower-case letters, digits and <c>-</c>.</param>
/// <param name="Port">The port the app listens on.</param>
/// <param name="Cpu">vCPUs per instance.</param>
/// <param name="MemoryMiB">Memory per instance.</param>
/// <param name="MinInstances">Instances kept running when idle.</param>
internal sealed record ServiceSettings(string Name, int Port, decimal Cpu, int MemoryMiB, int MinInstances)
{
    public static ServiceSettings For(string name, int port = 8080, decimal cpu = 0.25m, int memoryMiB = 512, int minInstances = 0) =>
        new(Naming.DnsLabel(name, 32), port, cpu, memoryMiB, minInstances);
}
