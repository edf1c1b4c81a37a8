using System.Formats.Tar;
using System.Net;
using System.Text;
using Infrar.Generators.Catalog;
using Infrar.Platform.Deployments;
using Xunit;

namespace Infrar.Platform.Tests.Deployments;

/// <summary>
/// How the service signs in to each provider's registry, as the catalog says (no registry of a cloud can be reached
/// here: ECR's exchange is checked against a handler that plays its API, and the signature against the example the AWS
/// General Reference works through), and how it reads the image archive a build wrote, which it does not trust.
/// </summary>
public sealed class RegistryLoginTests
{
    private static readonly DateTimeOffset At = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);

    [Fact]
    public void Signature_version_4_gives_the_signature_of_the_documented_example()
    {
        var headers = new Dictionary<string, string>
        {
            ["content-type"] = "application/x-www-form-urlencoded; charset=utf-8",
            ["host"] = "iam.amazonaws.com",
            ["x-amz-date"] = "20150830T123600Z",
        };
        var authorization = SignatureV4.Authorization(
            "GET", new Uri("https://iam.amazonaws.com/?Version=2010-05-08&Action=ListUsers"), headers, [], "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1", "iam", At);
        Assert.Equal(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, " +
            "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
            authorization);
    }

    [Fact]
    public async Task ECR_gives_a_password_for_the_environments_access_key_through_a_signed_GetAuthorizationToken()
    {
        var credentials = new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE", ["AWS_SECRET_ACCESS_KEY"] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ["AWS_SESSION_TOKEN"] = "session-token" };
        var token = Convert.ToBase64String(Encoding.UTF8.GetBytes("AWS:the-registry-password"));
        var ecr = new Handler(HttpStatusCode.OK, $$"""{"authorizationData":[{"authorizationToken":"{{token}}","expiresAt":1.4409E9,"proxyEndpoint":"https://123456789012.dkr.ecr.eu-west-1.amazonaws.com"}]}""");
        using var http = new HttpClient(ecr);

        var (user, password) = await RegistryLogins.EcrTokenAsync("123456789012.dkr.ecr.eu-west-1.amazonaws.com", credentials, http, At, CancellationToken.None);
        Assert.Equal(("AWS", "the-registry-password"), (user, password));
        var request = ecr.Requests.Single();
        Assert.Equal("https://api.ecr.eu-west-1.amazonaws.com/", request.Uri);
        Assert.Equal("AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken", request.Headers["X-Amz-Target"]);
        Assert.Equal("session-token", request.Headers["X-Amz-Security-Token"]);
        Assert.Equal("{}", request.Body);
        Assert.StartsWith(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/eu-west-1/ecr/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=",
            request.Headers["Authorization"], StringComparison.Ordinal);

        // Through the catalog: aws says "ecr".
        var login = EmbeddedCatalog.Value.Providers["aws"].Hosting.RegistryLogin;
        var signedIn = await RegistryLogins.SignInAsync(login, "123456789012.dkr.ecr.eu-west-1.amazonaws.com", credentials, http, CancellationToken.None);
        Assert.Equal("AWS", signedIn!.Value.User);
    }

    [Fact]
    public async Task A_refusal_a_host_that_is_not_ECR_and_missing_credentials_are_named()
    {
        var credentials = new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE", ["AWS_SECRET_ACCESS_KEY"] = "secret-key" };
        using var refusing = new HttpClient(new Handler(HttpStatusCode.BadRequest, """{"__type":"UnrecognizedClientException","message":"The security token included in the request is invalid."}"""));
        var refused = await Assert.ThrowsAsync<RegistryLoginException>(() => RegistryLogins.EcrTokenAsync("123456789012.dkr.ecr.us-east-1.amazonaws.com", credentials, refusing, At, CancellationToken.None));
        Assert.Contains("400 {\"__type\":\"UnrecognizedClientException\"", refused.Message, StringComparison.Ordinal);

        var elsewhere = await Assert.ThrowsAsync<RegistryLoginException>(() => RegistryLogins.EcrTokenAsync("registry.example.com", credentials, refusing, At, CancellationToken.None));
        Assert.Equal("'registry.example.com' is not an ECR registry (<account>.dkr.ecr.<region>.amazonaws.com)", elsewhere.Message);

        var azure = EmbeddedCatalog.Value.Providers["azure"].Hosting.RegistryLogin;
        var missing = await Assert.ThrowsAsync<RegistryLoginException>(() => RegistryLogins.SignInAsync(azure, "apps.azurecr.io", new Dictionary<string, string> { ["ARM_CLIENT_ID"] = "client-id" }, refusing, CancellationToken.None));
        Assert.Equal("the environment has no ARM_CLIENT_SECRET credential, which signs in to its container registry", missing.Message);
    }

    [Fact]
    public async Task Artifact_Registry_and_ACR_take_the_credentials_the_catalog_names()
    {
        using var http = new HttpClient(new Handler(HttpStatusCode.InternalServerError, ""));
        var key = """{"type":"service_account","client_email":"deployer@p.iam.gserviceaccount.com"}""";
        var google = await RegistryLogins.SignInAsync(
            EmbeddedCatalog.Value.Providers["gcp"].Hosting.RegistryLogin, "us-docker.pkg.dev", new Dictionary<string, string> { ["GOOGLE_CREDENTIALS"] = key }, http, CancellationToken.None);
        Assert.Equal(("_json_key", key), google);
        var azure = await RegistryLogins.SignInAsync(
            EmbeddedCatalog.Value.Providers["azure"].Hosting.RegistryLogin, "apps.azurecr.io",
            new Dictionary<string, string> { ["ARM_CLIENT_ID"] = "client-id", ["ARM_CLIENT_SECRET"] = "client-secret" }, http, CancellationToken.None);
        Assert.Equal(("client-id", "client-secret"), azure);
        Assert.Null(await RegistryLogins.SignInAsync(EmbeddedCatalog.Value.Providers["local"].Hosting.RegistryLogin, "127.0.0.1:5000", new Dictionary<string, string>(), http, CancellationToken.None));
    }

    [Fact]
    public void An_image_archive_is_unpacked_only_as_an_OCI_layout_and_its_digest_is_the_one_manifest_it_names()
    {
        using var folder = new TempFolder();
        var digest = "sha256:" + new string('a', 64);
        var good = Archive(folder.Path, "good.tar", ("oci-layout", """{"imageLayoutVersion":"1.0.0"}"""), ("index.json", $$"""{"schemaVersion":2,"manifests":[{"digest":"{{digest}}","size":2}]}"""), ($"blobs/sha256/{new string('a', 64)}", "{}"));
        Assert.Equal((digest, (string?)null), ImageArchive.ReadDigest(good));
        Assert.Null(ImageArchive.Unpack(good, Path.Combine(folder.Path, "good")));
        Assert.Equal("{}", File.ReadAllText(Path.Combine(folder.Path, "good", "blobs", "sha256", new string('a', 64))));

        var escaping = Archive(folder.Path, "escaping.tar", ("index.json", "{}"), ("../outside", "x"));
        Assert.Equal("the image archive holds '../outside' (RegularFile), which is not part of an OCI layout", ImageArchive.Unpack(escaping, Path.Combine(folder.Path, "escaping")));
        Assert.False(File.Exists(Path.Combine(folder.Path, "outside")));

        var linking = Path.Combine(folder.Path, "linking.tar");
        using (var stream = File.Create(linking))
        using (var writer = new TarWriter(stream))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "index.json") { LinkName = "/etc/passwd" });
        }

        Assert.Contains("'index.json' (SymbolicLink)", ImageArchive.Unpack(linking, Path.Combine(folder.Path, "linking")), StringComparison.Ordinal);
        Assert.Equal("its index.json is not a small regular file", ImageArchive.ReadDigest(linking).Problem);

        var two = Archive(folder.Path, "two.tar", ("index.json", $$"""{"manifests":[{"digest":"{{digest}}"},{"digest":"{{digest}}"}]}"""));
        Assert.Equal("its index.json names 2 manifests; one, with a sha256 digest, was expected", ImageArchive.ReadDigest(two).Problem);
    }

    private static string Archive(string folder, string name, params (string Path, string Content)[] entries)
    {
        var path = System.IO.Path.Combine(folder, name);
        using var stream = File.Create(path);
        using var writer = new TarWriter(stream);
        foreach (var (entryPath, content) in entries)
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, entryPath) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) });
        }

        return path;
    }

    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("infrar-archive-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }

    private sealed record SeenRequest(string Uri, Dictionary<string, string> Headers, string Body);

    /// <summary>Answers every request with one status and body, keeping what it was sent.</summary>
    private sealed class Handler(HttpStatusCode status, string body) : HttpMessageHandler
    {
        public List<SeenRequest> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(',', h.Value), StringComparer.OrdinalIgnoreCase);
            Requests.Add(new SeenRequest(request.RequestUri!.ToString(), headers, request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken)));
            return new HttpResponseMessage(status) { Content = new StringContent(body) };
        }
    }
}
