using System.CommandLine;
using Infrar.Platform.Cli;

var root = new RootCommand("Infrar's companion: what the code you wrote costs on each cloud.")
{
    CostCommand.Create(),
};

return root.Parse(args).Invoke();
