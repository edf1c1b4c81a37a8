using System.ComponentModel;
using System.Net.Http;

namespace Infrar;

/// <summary>
/// How the provider clients that Infrar's rewritten code creates send their requests: one place to add a proxy,
/// a delegating handler for logging or resilience, or an in-memory handler in tests and benchmarks.
/// </summary>
/// <remarks>
/// The rewritten code creates each provider's client once per process, on its first call, and asks for the handler
/// then. Configure it at startup, before the first storage call; afterwards it can no longer take effect, so a
/// late call throws rather than being silently ignored. The local provider makes no HTTP requests and ignores it.
/// </remarks>
public static class CloudClients
{
    private static readonly object Gate = new();
    private static Func<HttpMessageHandler>? _createHandler;
    private static bool _clientCreated;

    /// <summary>Builds every provider client on the handler that <paramref name="createHandler"/> returns.</summary>
    /// <param name="createHandler">Called once for each provider client; the client owns the handler it gets.</param>
    /// <exception cref="InvalidOperationException">A provider client has already been created.</exception>
    public static void UseHttpHandler(Func<HttpMessageHandler> createHandler)
    {
        ArgumentNullException.ThrowIfNull(createHandler);
        lock (Gate)
        {
            if (_clientCreated)
            {
                throw new InvalidOperationException(
                    "CloudClients.UseHttpHandler was called after a provider client was created; call it at startup, before the first storage call.");
            }

            _createHandler = createHandler;
        }
    }

    /// <summary>
    /// Used by the rewritten code when it creates a provider client: the configured handler, or <see langword="null"/>
    /// for the provider SDK's own.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static HttpMessageHandler? CreateHttpHandler()
    {
        Func<HttpMessageHandler>? createHandler;
        lock (Gate)
        {
            _clientCreated = true;
            createHandler = _createHandler;
        }

        return createHandler?.Invoke();
    }
}
