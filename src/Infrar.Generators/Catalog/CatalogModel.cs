using System.Collections.Generic;
using System.Linq;
using Infrar.Generators.Specs;

namespace Infrar.Generators.Catalog;

/// <summary>Everything Infrar knows about capabilities and providers, read from <c>catalog/</c>.</summary>
/// <param name="Capabilities">Each capability (<c>capabilities/*.yaml</c>): its operations, the same on every provider.</param>
/// <param name="Providers">Every provider, by <c>InfrarProvider</c> value, the default (the local file system) included.</param>
/// <param name="Infrastructure">Each provider's OpenTofu templates, by provider id.</param>
/// <param name="DefaultProvider">The provider a build gets when it names none: the SDK's own code, nothing rewritten.</param>
internal sealed record InfrarCatalog(
    IReadOnlyDictionary<string, CapabilityDefinition> Capabilities,
    IReadOnlyDictionary<string, ProviderCatalog> Providers,
    IReadOnlyDictionary<string, InfrastructureBinding> Infrastructure,
    string DefaultProvider)
{
    public const string StorageCapability = "storage";

    public const string QueuesCapability = "queues";

    /// <summary>The storage capability's operations, by id.</summary>
    public IReadOnlyDictionary<string, OperationDefinition> Operations => Capabilities[StorageCapability].Operations;

    /// <summary>Every capability's operations, by id: ids are unique across capabilities.</summary>
    public OperationDefinition? Operation(string id) =>
        Capabilities.Values.Select(c => c.Operations.TryGetValue(id, out var operation) ? operation : null).FirstOrDefault(o => o is not null);

    /// <summary>The names of the storage parameters that hold object keys, checked before any provider call.</summary>
    public EquatableArray<string> KeyParameters => Capabilities[StorageCapability].KeyParameters;

    /// <summary>The providers a build rewrites calls for (every one with storage code), in id order.</summary>
    public IEnumerable<ProviderCatalog> Clouds => Providers.Values.Where(p => p.Storage is not null).OrderBy(p => p.Id, System.StringComparer.Ordinal);
}

/// <summary>A capability: what every provider must do.</summary>
/// <param name="Id">Its name, as its folder under each provider is named (<c>storage</c>).</param>
/// <param name="Operations">Its operations, by the id the SDK's <c>[InfrarOperation]</c> attribute names.</param>
/// <param name="KeyParameters">The parameters that hold object keys, checked before any provider call.</param>
internal sealed record CapabilityDefinition(string Id, IReadOnlyDictionary<string, OperationDefinition> Operations, EquatableArray<string> KeyParameters);

/// <summary>How a provider's OpenTofu is written: whole files, and the templates they repeat per bucket and per grant.</summary>
/// <param name="Files">Each file's template, by file name, in the order written.</param>
/// <param name="Templates">The templates the files refer to (<c>bucket</c>, <c>grant</c>, …), by name.</param>
internal sealed record InfrastructureBinding(IReadOnlyList<KeyValuePair<string, string>> Files, IReadOnlyDictionary<string, string> Templates);

/// <summary>An operation of a capability, the same on every provider.</summary>
/// <param name="Id">The id the SDK's <c>[InfrarOperation]</c> attribute names.</param>
/// <param name="Access">What it does to the resource: <c>read</c>, <c>write</c>, <c>delete</c>, <c>list</c> or <c>sign</c>.</param>
/// <param name="Summary">One line saying what it does.</param>
internal sealed record OperationDefinition(string Id, string Access, string Summary);

/// <summary>One provider: how it implements the capabilities, and where its OpenTofu state lives.</summary>
/// <param name="Id">The <c>InfrarProvider</c> value.</param>
/// <param name="DisplayName">The provider's name as people say it.</param>
/// <param name="Storage">How object storage maps onto the provider's SDK; null for the default provider, whose calls run the SDK's own code.</param>
/// <param name="State">Where a deployment's state lives.</param>
/// <param name="FolderVariable">
/// The OpenTofu variable naming a folder on the service's machine that a run writes (the local provider's buckets), which
/// the service checks and the sandbox mounts; null when runs write no local folder.
/// </param>
/// <param name="DefaultRegion">The region used when an environment names none.</param>
/// <param name="Queues">How queues map onto the provider's SDK; null for the default provider, whose queue is the SDK's own.</param>
/// <param name="Hosting">Where the app runs once applied: its URL output and how to sign in to the registry its image is pushed to.</param>
internal sealed record ProviderCatalog(string Id, string DisplayName, CapabilityBinding? Storage, StateBinding State, string? FolderVariable, string? DefaultRegion, CapabilityBinding? Queues, HostingBinding Hosting);

/// <summary>What the deployment service knows of a provider's hosting (<c>hosting</c> in provider.yaml).</summary>
/// <param name="UrlOutput">The OpenTofu output holding the app's URL, polled for health after an apply; null when the hosting has no stable address.</param>
/// <param name="RegistryLogin">How the service signs in to the environment's container registry; null when images are not pushed (the default provider).</param>
internal sealed record HostingBinding(string? UrlOutput, RegistryLogin? RegistryLogin);

/// <summary>
/// How the service signs in to a provider's container registry with the environment's credentials: a user name (fixed,
/// or read from a credential) and a password read from a credential, or a token the named exchange gets for them.
/// </summary>
/// <param name="Username">A fixed user name (<c>_json_key</c>).</param>
/// <param name="UsernameCredential">The credential holding the user name.</param>
/// <param name="PasswordCredential">The credential holding the password.</param>
/// <param name="Token">The exchange that trades the environment's credentials for a registry password (<c>ecr</c>).</param>
internal sealed record RegistryLogin(string? Username, string? UsernameCredential, string? PasswordCredential, string? Token);

/// <summary>Where OpenTofu keeps a provider's state, as <c>infrar_backend.tf</c> says.</summary>
/// <param name="Backend">The OpenTofu backend: <c>s3</c>, <c>gcs</c>, <c>azurerm</c>, <c>local</c>.</param>
/// <param name="Settings">What an environment gives for it; the service refuses an environment without a required one.</param>
/// <param name="KeptByService">Whether the service keeps the state itself between runs (a local state file), rather than a remote backend.</param>
/// <param name="Template">The backend file, with <c>{{setting}}</c>, <c>{{key}}</c> and <c>{{region}}</c> as quoted HCL strings.</param>
internal sealed record StateBinding(string Backend, EquatableArray<StateSetting> Settings, bool KeptByService, string Template);

/// <summary>One state setting an environment gives: <c>bucket</c>, <c>region</c>…</summary>
internal sealed record StateSetting(string Name, bool Required);

/// <summary>A NuGet package the generated code calls.</summary>
/// <param name="Id">The package id.</param>
/// <param name="Version">The version Infrar references.</param>
/// <param name="Assembly">The assembly whose reference shows the package is there.</param>
internal sealed record PackageSpec(string Id, string Version, string? Assembly);

/// <summary>One capability (object storage, queues) on one provider: its folder, <c>providers/&lt;id&gt;/&lt;capability&gt;/</c>.</summary>
/// <param name="Capability">The capability's id: <c>storage</c> or <c>queues</c>.</param>
/// <param name="Service">The provider's service, as people say it.</param>
/// <param name="Packages">The packages the generated code needs.</param>
/// <param name="SupportClass">The name of the generated class holding the client and helpers.</param>
/// <param name="Support">The members of that class (the client, created once per process, helpers, and <c>Error</c>), as the generator writes them.</param>
/// <param name="ErrorType">The provider's exception type, which <c>Error</c> maps onto Infrar's exceptions.</param>
/// <param name="Operations">Each operation's code, by operation id.</param>
/// <param name="Naming">What the provider accepts as the resource's name (a bucket's, a queue's), rule by rule.</param>
/// <param name="SdkNamespaces">The namespaces of the provider's SDK for it (and those under them): calls on them in application code are INFRAR0105.</param>
internal sealed record CapabilityBinding(
    string Capability,
    string Service,
    EquatableArray<PackageSpec> Packages,
    string SupportClass,
    string Support,
    string ErrorType,
    IReadOnlyDictionary<string, OperationTemplate> Operations,
    EquatableArray<NamingRule> Naming,
    EquatableArray<string> SdkNamespaces);

/// <summary>
/// One naming rule: a name must match <see cref="Must"/>, or must not match <see cref="MustNot"/> (regular expressions);
/// <see cref="Fixes"/> turn a name that breaks it into one that keeps it, for the name INFRAR0102's fix proposes.
/// </summary>
internal sealed record NamingRule(string? Must, string? MustNot, string Reason, EquatableArray<NamingFix> Fixes);

/// <summary>A replacement that mends a name: each match of the regular expression <see cref="Replace"/> becomes <see cref="With"/> (with $1…).</summary>
internal sealed record NamingFix(string Replace, string With);

/// <summary>The C# of one provider's capability folder, as the generator writes it.</summary>
/// <param name="SupportClass">The class that declares <c>Error</c>: the client and the helpers the operations share.</param>
/// <param name="Support">That class's members.</param>
/// <param name="ErrorType">The type of <c>Error</c>'s first parameter: the provider's exception.</param>
/// <param name="Operations">Each operation's body, by the id its <c>[InfrarOperation]</c> attribute names.</param>
internal sealed record CapabilityCode(string SupportClass, string Support, string ErrorType, IReadOnlyDictionary<string, OperationCode> Operations);

/// <summary>One operation's body, whether its method is <c>async</c>, and whether it is an iterator (which maps its own errors).</summary>
internal sealed record OperationCode(string Body, bool Async, bool Iterator);

/// <summary>One operation's code on one provider.</summary>
/// <param name="Id">The operation id.</param>
/// <param name="Permissions">The provider permissions the operation needs on its bucket.</param>
/// <param name="DestinationPermissions">For copies between buckets, the permissions it needs on the destination bucket.</param>
/// <param name="Code">The interceptor's body, in terms of the SDK method's parameter names and <c>bucket</c>.</param>
/// <param name="Async">Whether the body awaits (emitted as an <c>async</c> method).</param>
/// <param name="Wrap">Whether the body is wrapped in the provider's error mapping (iterators map their own errors).</param>
/// <param name="ErrorKey">The parameter reported in errors beside the resource (the object key); null when there is none.</param>
/// <param name="Limitations">What a caller must do differently on this provider; reported where the operation is used (INFRAR0104).</param>
internal sealed record OperationTemplate(
    string Id,
    EquatableArray<string> Permissions,
    EquatableArray<string> DestinationPermissions,
    string Code,
    bool Async,
    bool Wrap,
    string? ErrorKey,
    string? Limitations);
