using Xunit;

namespace Infrar.Build.Tests;

/// <summary>Tests that run dotnet build or pack: one at a time, since they share the repository's obj folders and two cores.</summary>
[CollectionDefinition(Name)]
public sealed class RealBuilds
{
    public const string Name = "real builds";
}
