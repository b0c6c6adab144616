using System.Threading.Channels;

namespace DaemonNet.HostAgent.Sync;

/// <summary>
/// "Something on the host may have changed": raised by the change monitors, awaited by the sync
/// loop. Raising it any number of times before the loop looks counts once, so a burst of kernel
/// events costs one snapshot.
/// </summary>
public sealed class ChangeSignal
{
    private readonly Channel<bool> pending = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Raise() => pending.Writer.TryWrite(true);

    /// <summary>Forgets a raise that is pending: the observation about to be made covers it.</summary>
    public void Settle() => pending.Reader.TryRead(out _);

    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        await pending.Reader.ReadAsync(cancellationToken);
    }
}
