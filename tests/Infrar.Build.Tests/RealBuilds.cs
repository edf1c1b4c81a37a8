using Infrar.Testing;
using Xunit;

namespace Infrar.Build.Tests;

/// <summary>
/// Tests that run dotnet build or pack: one at a time, since they share the repository's obj folders and two cores.
/// The SDK is packed once for all of them.
/// </summary>
[CollectionDefinition(Name)]
public sealed class RealBuilds : ICollectionFixture<PackedSdk>
{
    public const string Name = "real builds";
}
