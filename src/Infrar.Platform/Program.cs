using System.CommandLine;
using Infrar.Platform.Cli;

var root = new RootCommand("Infrar's companion: what the code you wrote costs on each cloud, and a service that deploys it and moves it, data included, from one cloud to another.")
{
    CostCommand.Create(),
    AdoptCommand.Create(),
    ServeCommand.Create(),
    MigrationCommands.Create(),
};
foreach (var command in DeploymentCommands.Create().Concat(AdminCommands.Create()))
{
    root.Subcommands.Add(command);
}

return await root.Parse(args).InvokeAsync();
