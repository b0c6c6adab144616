using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace DaemonNet.HostAgent.Sources.Libvirt;

/// <summary>
/// One long-lived read-only libvirt connection that calls back on every event that can change
/// the inventory: a domain defined, undefined, started, suspended, resumed or stopped, a device
/// added or removed, a guest agent (dis)connecting, a network started, stopped, defined or
/// undefined. <see cref="Closed"/> completes when libvirtd goes away (keepalive notices a daemon
/// that died without closing the socket). Callbacks find their subscription through a number, not
/// a pointer, so one arriving during disposal finds nothing and does nothing.
/// </summary>
internal sealed unsafe class LibvirtSubscription : IDisposable
{
    private const int DomainLifecycle = 0;
    private const int DomainDeviceRemoved = 15;
    private const int DomainAgentLifecycle = 18;
    private const int DomainDeviceAdded = 19;
    private const int NetworkLifecycle = 0;

    private static readonly ConcurrentDictionary<nint, LibvirtSubscription> Live = new();
    private static long lastKey;

    private readonly nint key = (nint)Interlocked.Increment(ref lastKey);
    private readonly Action changed;
    private readonly List<int> domainCallbacks = [];
    private readonly List<int> networkCallbacks = [];
    private readonly TaskCompletionSource<string> closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private nint connection;
    private bool closeCallback;

    private LibvirtSubscription(Action changed) => this.changed = changed;

    /// <summary>Completes with the reason when libvirt closed the connection.</summary>
    public Task<string> Closed => closed.Task;

    /// <param name="changed">Called on libvirt's event thread: keep it short.</param>
    public static LibvirtSubscription Open(string uri, Action changed)
    {
        LibvirtEventLoop.Start();
        var subscription = new LibvirtSubscription(changed);
        Live[subscription.key] = subscription;
        try
        {
            subscription.Connect(uri);
            return subscription;
        }
        catch
        {
            subscription.Dispose();
            throw;
        }
    }

    private void Connect(string uri)
    {
        using var connectionForErrors = LibvirtConnection.OpenReadOnly(uri);
        connection = connectionForErrors.Detach();
        // Every 5 s, and closed after 3 unanswered: a dead libvirtd is noticed within about 20 s.
        // Local drivers without a daemon (test://) have no keepalive to set, which is fine.
        _ = LibvirtNative.virConnectSetKeepAlive(connection, 5, 3);
        if (LibvirtNative.virConnectRegisterCloseCallback(connection, &OnClosed, key, 0) == 0)
        {
            closeCallback = true;
        }
        delegate* unmanaged<nint, nint, int, int, nint, int> lifecycle = &OnLifecycle;
        delegate* unmanaged<nint, nint, nint, nint, void> device = &OnDevice;
        delegate* unmanaged<nint, nint, int, int, nint, void> stateChange = &OnStateChange;
        domainCallbacks.Add(Register(LibvirtNative.virConnectDomainEventRegisterAny(connection, 0, DomainLifecycle, lifecycle, key, 0), "domain lifecycle"));
        domainCallbacks.Add(Register(LibvirtNative.virConnectDomainEventRegisterAny(connection, 0, DomainDeviceAdded, device, key, 0), "device added"));
        domainCallbacks.Add(Register(LibvirtNative.virConnectDomainEventRegisterAny(connection, 0, DomainDeviceRemoved, device, key, 0), "device removed"));
        domainCallbacks.Add(Register(LibvirtNative.virConnectDomainEventRegisterAny(connection, 0, DomainAgentLifecycle, stateChange, key, 0), "guest agent lifecycle"));
        networkCallbacks.Add(Register(LibvirtNative.virConnectNetworkEventRegisterAny(connection, 0, NetworkLifecycle, stateChange, key, 0), "network lifecycle"));
    }

    private static int Register(int callbackId, string what) =>
        callbackId >= 0 ? callbackId : throw new SourceException($"cannot subscribe to libvirt's {what} events: {LibvirtConnection.LastError()}");

    public void Dispose()
    {
        Live.TryRemove(key, out _);
        if (connection == 0)
        {
            return;
        }
        foreach (var id in domainCallbacks)
        {
            _ = LibvirtNative.virConnectDomainEventDeregisterAny(connection, id);
        }
        foreach (var id in networkCallbacks)
        {
            _ = LibvirtNative.virConnectNetworkEventDeregisterAny(connection, id);
        }
        if (closeCallback)
        {
            _ = LibvirtNative.virConnectUnregisterCloseCallback(connection, &OnClosed);
        }
        _ = LibvirtNative.virConnectClose(connection);
        connection = 0;
    }

    private static void Notify(nint opaque)
    {
        if (Live.TryGetValue(opaque, out var subscription))
        {
            subscription.changed();
        }
    }

    [UnmanagedCallersOnly]
    private static int OnLifecycle(nint connection, nint domain, int lifecycleEvent, int detail, nint opaque)
    {
        Notify(opaque);
        return 0;
    }

    [UnmanagedCallersOnly]
    private static void OnDevice(nint connection, nint domain, nint alias, nint opaque) => Notify(opaque);

    // A guest agent's lifecycle and a network's have this shape: (connection, domain or network, state, reason, opaque).
    [UnmanagedCallersOnly]
    private static void OnStateChange(nint connection, nint subject, int state, int reason, nint opaque) => Notify(opaque);

    [UnmanagedCallersOnly]
    private static void OnClosed(nint connection, int reason, nint opaque)
    {
        if (Live.TryGetValue(opaque, out var subscription))
        {
            subscription.closed.TrySetResult(reason switch
            {
                0 => "error",
                1 => "end of file",
                2 => "keepalive timeout",
                _ => "closed by the client",
            });
        }
    }
}
