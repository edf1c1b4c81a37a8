using System.Net;
using System.Net.Sockets;

namespace Infrar.Testing;

public static class FreePort
{
    /// <summary>A TCP port on 127.0.0.1 that was free a moment ago.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits until something accepts connections on the port, or fails naming what did not start.</summary>
    public static async Task WaitUntilListeningAsync(int port, string what, TimeSpan timeout, Func<string>? log = null, Func<bool>? exited = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (exited?.Invoke() == true)
            {
                throw new InvalidOperationException($"{what} exited before listening on 127.0.0.1:{port}. {log?.Invoke()}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
            catch (SocketException e)
            {
                throw new InvalidOperationException($"{what} did not listen on 127.0.0.1:{port} within {timeout.TotalSeconds:0} s. {log?.Invoke()}", e);
            }
        }
    }
}
