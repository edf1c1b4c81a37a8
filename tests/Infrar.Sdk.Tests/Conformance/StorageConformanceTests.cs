using Xunit;

namespace Infrar.Sdk.Tests.Conformance;

/// <summary>Every scenario of <see cref="Infrar.Conformance.StorageScenarios"/> on every provider.</summary>
[Collection(ConformanceCollection.Name)]
public sealed class StorageConformanceTests(ConformanceFixture fixture)
{
    [Theory]
    [MemberData(nameof(ConformanceFixture.Cases), MemberType = typeof(ConformanceFixture))]
    public Task Scenario(string provider, string scenario) => fixture.RunAsync(provider, scenario);
}
