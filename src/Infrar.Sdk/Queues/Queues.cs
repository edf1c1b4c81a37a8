using System.Diagnostics.CodeAnalysis;
using Infrar.Naming;

namespace Infrar;

/// <summary>Declares the message queues an application uses.</summary>
/// <remarks>
/// As with buckets, the name must be a compile-time constant, so that the queue's infrastructure and permissions can be
/// generated. Delivery is at least once: a message can arrive more than once (after its lease runs out, or after a
/// crash), and the order in which messages arrive is not promised. Make handlers idempotent.
/// </remarks>
public static class Queues
{
    /// <summary>Declares a queue by its logical name and returns a handle to it.</summary>
    /// <param name="name">
    /// The logical name, a compile-time constant. The physical name is read from the environment variable
    /// <c>INFRAR_QUEUE_&lt;NAME&gt;</c> (upper case, other characters as <c>_</c>) and falls back to this name.
    /// </param>
    /// <param name="options">The lease, the delivery limit and the retention the generated infrastructure gives this queue.</param>
    public static Queue Queue([ConstantExpected] string name, QueueOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        options ??= QueueOptions.Default;
        options.Validate();
        var physicalName = Environment.GetEnvironmentVariable(ResourceNames.QueueEnvironmentVariable(name));
        return new Queue(name, string.IsNullOrEmpty(physicalName) ? name : physicalName, options);
    }
}
