using System.ComponentModel;

namespace Infrar.Internal;

/// <summary>
/// Written into every assembly Infrar's generator compiles: the provider its calls were rewritten for, and how many
/// calls on Infrar resources it makes. At run time the local provider reads it from the app's entry assembly and
/// refuses to run in a cloud build; at build time an app refuses a referenced assembly built for another provider.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[AttributeUsage(AttributeTargets.Assembly, Inherited = false)]
public sealed class InfrarBuildAttribute(string provider, int calls) : Attribute
{
    /// <summary>The <c>InfrarProvider</c> the assembly was compiled for: local, aws, gcp or azure.</summary>
    public string Provider { get; } = provider;

    /// <summary>How many calls on Infrar resources the assembly's code makes.</summary>
    public int Calls { get; } = calls;
}
