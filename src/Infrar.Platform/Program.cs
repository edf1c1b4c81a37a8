using System.CommandLine;
using Infrar.Platform.Cli;

var root = new RootCommand("Infrar's companion: what the code you wrote costs on each cloud, and a service that deploys it.")
{
    CostCommand.Create(),
    ServeCommand.Create(),
};
foreach (var command in DeploymentCommands.Create())
{
    root.Subcommands.Add(command);
}

return await root.Parse(args).InvokeAsync();
