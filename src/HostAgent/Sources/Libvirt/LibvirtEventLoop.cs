namespace DaemonNet.HostAgent.Sources.Libvirt;

/// <summary>
/// libvirt's own event loop, which delivers domain and network events and notices a connection
/// whose daemon went away (keepalive). It is registered once per process, before the connections
/// that want events are opened, and runs on a thread of its own for the agent's lifetime.
/// </summary>
internal static class LibvirtEventLoop
{
    private static readonly Lock StartLock = new();
    private static bool started;

    public static void Start()
    {
        lock (StartLock)
        {
            if (started)
            {
                return;
            }
            if (LibvirtNative.virEventRegisterDefaultImpl() < 0)
            {
                throw new SourceException("cannot register libvirt's event loop");
            }
            var thread = new Thread(Run) { IsBackground = true, Name = "libvirt events" };
            thread.Start();
            started = true;
        }
    }

    private static void Run()
    {
        while (true)
        {
            // Each call waits for and dispatches one round of events; a failure is transient.
            if (LibvirtNative.virEventRunDefaultImpl() < 0)
            {
                Thread.Sleep(TimeSpan.FromMilliseconds(100));
            }
        }
    }
}
