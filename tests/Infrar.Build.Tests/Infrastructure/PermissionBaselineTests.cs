using Infrar.Build.Infrastructure;
using Infrar.Testing;
using Xunit;

namespace Infrar.Build.Tests.Infrastructure;

/// <summary>The checked-in baseline of grants: what a reviewer accepted, and what the code now wants on top.</summary>
public sealed class PermissionBaselineTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"infrar-permissions-{Guid.NewGuid():N}.json");

    [Fact]
    public void A_baseline_written_from_the_code_accepts_it_and_keeps_other_providers()
    {
        var grants = Emitted.Grants("aws", Emitted.Model(("PhotoLibrary.cs", Sources.EveryOperation)).Model);
        File.WriteAllText(_path, "{ \"version\": 1, \"grants\": { \"gcp\": [\"photos: storage.objects.get\"] } }");

        PermissionBaseline.Write(_path, "aws", grants);

        Assert.Empty(PermissionBaseline.Added(PermissionBaseline.Read(_path, "aws"), grants));
        Assert.Equal(["photos: storage.objects.get"], PermissionBaseline.Read(_path, "gcp"));
        Assert.Contains("\"photos (bucket): s3:ListBucket\"", File.ReadAllText(_path), StringComparison.Ordinal);
    }

    [Fact]
    public void A_grant_the_baseline_does_not_list_is_reported_with_its_call_sites()
    {
        var grants = Emitted.Grants("aws", Emitted.Model(("PhotoLibrary.cs", Sources.EveryOperation)).Model);
        PermissionBaseline.Write(_path, "aws", [.. grants.Where(g => g.Action != "s3:DeleteObject")]);

        var added = Assert.Single(PermissionBaseline.Added(PermissionBaseline.Read(_path, "aws"), grants));

        Assert.Equal("photos: s3:DeleteObject", added.Key);
        Assert.Equal(["PhotoLibrary.cs:30"], added.CallSites);
    }

    [Fact]
    public void A_malformed_baseline_is_refused_with_its_path()
    {
        File.WriteAllText(_path, "{ \"grants\": ");

        var error = Assert.Throws<InvalidDataException>(() => PermissionBaseline.Read(_path, "aws"));

        Assert.StartsWith(_path + " is not valid JSON", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => File.Delete(_path);
}
