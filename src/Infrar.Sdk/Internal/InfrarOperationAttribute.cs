using System.ComponentModel;

namespace Infrar.Internal;

/// <summary>
/// Names the catalog operation a method performs (<c>catalog/capabilities/storage.yaml</c>). The generator
/// rewrites calls to such methods into that operation's template for the selected provider.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class InfrarOperationAttribute(string id) : Attribute
{
    /// <summary>The operation's id in the catalog.</summary>
    public string Id { get; } = id;
}
