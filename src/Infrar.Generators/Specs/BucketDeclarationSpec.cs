namespace Infrar.Generators.Specs;

/// <summary>A <c>Storage.Bucket("name", options)</c> declaration.</summary>
/// <param name="Name">The logical name, a constant.</param>
/// <param name="Options">The options the code gave, as constants.</param>
/// <param name="Symbol">The documentation id of the field or property it initializes, so calls in other files can be traced to it.</param>
/// <param name="FilePath">The source file.</param>
/// <param name="Line">The 1-based line.</param>
/// <param name="Failure">Why the generator could not read this declaration (an exception it hit), so it is reported.</param>
public sealed record BucketDeclarationSpec(string Name, BucketOptionsSpec Options, string? Symbol, string FilePath, int Line, string? Failure = null);

/// <summary>What a referenced assembly built with Infrar says of itself: the provider it was built for and its call count.</summary>
public sealed record ReferencedBuildSpec(string Assembly, string Provider, int Calls);

/// <summary>The infrastructure options of a bucket, as declared.</summary>
public sealed record BucketOptionsSpec(bool Versioning, int ExpireAfterDays, EquatableArray<string> CorsOrigins, bool Public)
{
    public static readonly BucketOptionsSpec Default = new(false, 0, EquatableArray<string>.Empty, false);
}

/// <summary>A <c>Queues.Queue("name", options)</c> declaration.</summary>
/// <param name="Name">The logical name, a constant.</param>
/// <param name="Options">The options the code gave, as constants.</param>
/// <param name="Symbol">The documentation id of the field or property it initializes, so calls in other files can be traced to it.</param>
/// <param name="FilePath">The source file.</param>
/// <param name="Line">The 1-based line.</param>
/// <param name="Failure">Why the generator could not read this declaration (an exception it hit), so it is reported.</param>
public sealed record QueueDeclarationSpec(string Name, QueueOptionsSpec Options, string? Symbol, string FilePath, int Line, string? Failure = null);

/// <summary>The infrastructure options of a queue, as declared, in whole seconds: the SDK's defaults unless given as constants.</summary>
public sealed record QueueOptionsSpec(int VisibilityTimeoutSeconds, int MaxDeliveries, int RetentionSeconds)
{
    public static readonly QueueOptionsSpec Default = new(30, 5, 4 * 24 * 3600);
}
