using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Grpc.Net.Client;

namespace DaemonNet.Tests.Support.Soak;

/// <summary>
/// Sockets of a network namespace used from this process: a listening socket bound inside it (a
/// receiver the collector there can reach) and a gRPC channel whose connections are made inside
/// it (a client of a collector that listens only there). A socket keeps its namespace wherever it
/// is used afterwards.
/// </summary>
public static class NamespaceSockets
{
    /// <summary>A TCP socket bound to <paramref name="endPoint"/> inside the namespace and listening.</summary>
    public static Socket Listen(NetworkNamespace inside, IPEndPoint endPoint) => inside.Inside(() =>
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        socket.Bind(endPoint);
        socket.Listen(512);
        return socket;
    });

    /// <summary>A channel to a collector in the namespace, over mutual TLS with the given client options.</summary>
    public static GrpcChannel Channel(NetworkNamespace inside, string url, SslClientAuthenticationOptions tls) =>
        GrpcChannel.ForAddress(url, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                SslOptions = tls,
                ConnectTimeout = TimeSpan.FromSeconds(5),
                ConnectCallback = (context, _) => ValueTask.FromResult<Stream>(inside.Inside(() =>
                {
                    var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    try
                    {
                        socket.Connect(context.DnsEndPoint.Host, context.DnsEndPoint.Port);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                })),
            },
            MaxReceiveMessageSize = 64 * 1024 * 1024,
        });
}
