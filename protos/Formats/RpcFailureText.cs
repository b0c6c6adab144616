using Grpc.Core;

namespace DaemonNet.Protos.Formats;

/// <summary>How a failed call is told to a human, on both ends of the contract.</summary>
public static class RpcFailureText
{
    /// <summary>
    /// gRPC reports a refused connection as "Error connecting to subchannel."; the socket error
    /// underneath ("Connection refused") is what an admin can act on.
    /// </summary>
    public static string Reason(RpcException e)
    {
        var inner = e.Status.DebugException;
        while (inner?.InnerException is not null)
        {
            inner = inner.InnerException;
        }
        return inner?.Message ?? e.Status.Detail;
    }
}
