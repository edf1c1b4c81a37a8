using System.Net;

namespace Infrar.Testing;

/// <summary>The contract servers' listening loop: each request handled on its own task until the listener stops.</summary>
public static class AcceptLoop
{
    public static async Task RunAsync(HttpListener listener, Func<HttpListenerContext, Task> handle)
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => handle(context));
        }
    }
}
