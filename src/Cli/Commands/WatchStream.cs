using DaemonNet.Protos.V1;
using Grpc.Core;

namespace DaemonNet.Cli.Commands;

/// <summary>
/// Follows the collector's Watch stream for a query. A watch the collector dropped for falling
/// behind is opened again, which starts with the current answer, so nothing is missed.
/// </summary>
internal static class WatchStream
{
    /// <summary>Calls <paramref name="onEvent"/> for each event until it returns false (then true) or the token ends (then false).</summary>
    public static async Task<bool> FollowAsync(Inventory.InventoryClient inventory, string query, Func<WatchEvent, Task<bool>> onEvent, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                using var call = inventory.Watch(new WatchRequest { Query = query }, cancellationToken: cancellationToken);
                await foreach (var e in call.ResponseStream.ReadAllAsync(cancellationToken))
                {
                    if (!await onEvent(e))
                    {
                        return true;
                    }
                }
                throw new RpcException(new Status(StatusCode.Unavailable, "the collector ended the watch"));
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted)
            {
                Console.Error.WriteLine($"daemonnet: {e.Status.Detail}; watching again");
            }
            catch (Exception e) when (cancellationToken.IsCancellationRequested && e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
            {
                return false;
            }
        }
    }
}
