namespace Infrar.Generators.Specs;

/// <summary>One call on an Infrar resource, as the emitters need it: strings and numbers only, so it caches.</summary>
/// <param name="OperationId">The catalog operation the called method performs.</param>
/// <param name="Capability">The capability it belongs to: <c>storage</c> (a call on a bucket) or <c>queues</c> (on a queue).</param>
/// <param name="Method">The called method's signature.</param>
/// <param name="Location">Where the call is, in the form the compiler needs and the form people read.</param>
/// <param name="Resource">The bucket or queue the call is made on, as far as this file tells.</param>
/// <param name="Destination">For copies between buckets, the destination bucket.</param>
/// <param name="Failure">Why the generator could not read this call (an exception it hit), so it is reported, not rewritten.</param>
public sealed record CallSiteSpec(
    string OperationId,
    string Capability,
    MethodSpec Method,
    CallLocationSpec Location,
    ResourceReference Resource,
    ResourceReference? Destination,
    string? Failure = null);

/// <summary>
/// Which bucket or queue an expression is: its logical name when the declaration is in the same file, else the
/// documentation id of the field or property holding it (resolved against every declaration at output), else neither.
/// <see cref="DeadLetters"/> says the expression is that queue's dead-letter queue (<c>queue.DeadLetters</c>).
/// </summary>
public sealed record ResourceReference(string? Name, string? Symbol, bool DeadLetters = false)
{
    public static readonly ResourceReference Unknown = new(null, null);
}

/// <summary>The signature an interceptor must repeat.</summary>
/// <param name="Name">The method's name.</param>
/// <param name="ReceiverType">The fully qualified type the method is declared on.</param>
/// <param name="ReturnType">The fully qualified return type.</param>
/// <param name="Parameters">The parameters after the receiver.</param>
/// <param name="TypeParameters">A generic method's type parameters: the interceptor is generic too, so one serves every call.</param>
public sealed record MethodSpec(string Name, string ReceiverType, string ReturnType, EquatableArray<ParameterSpec> Parameters, EquatableArray<string> TypeParameters = default);

/// <summary>One parameter of an intercepted method.</summary>
public sealed record ParameterSpec(string Type, string Name);

/// <summary>A call's location.</summary>
/// <param name="Version">The interceptable location's encoding version.</param>
/// <param name="Data">The interceptable location's opaque data.</param>
/// <param name="FilePath">The source file, as the compilation names it.</param>
/// <param name="Line">The 1-based line.</param>
/// <param name="Column">The 1-based column.</param>
/// <param name="SpanStart">Where the called name starts in the file, for diagnostics.</param>
/// <param name="SpanLength">The called name's length.</param>
public sealed record CallLocationSpec(int Version, string Data, string FilePath, int Line, int Column, int SpanStart, int SpanLength)
{
    /// <summary>The location as people read it: <c>Program.cs(12,20)</c>.</summary>
    public string Display => $"{System.IO.Path.GetFileName(FilePath)}({Line},{Column})";
}
