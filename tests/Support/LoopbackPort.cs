using System.Net;
using System.Net.Sockets;

namespace DaemonNet.Tests.Support;

/// <summary>A TCP port on 127.0.0.1 that was free a moment ago, for a process the test starts.</summary>
public static class LoopbackPort
{
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
