using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace DaemonNet.Tests.Support;

/// <summary>
/// A network namespace that a test made and that disappears, with every link in it, on dispose.
/// Names carry the test process id, so parallel runs and leftovers of a killed run do not collide.
/// </summary>
public sealed partial class NetworkNamespace : IDisposable
{
    private static int counter;

    private NetworkNamespace(string name) => Name = name;

    public string Name { get; }

    public static NetworkNamespace Create(string role)
    {
        var name = $"dn{Environment.ProcessId}-{Interlocked.Increment(ref counter)}-{role}";
        Shell.Run("ip", "netns", "add", name);
        var created = new NetworkNamespace(name);
        created.Ip("link", "set", "lo", "up");
        return created;
    }

    /// <summary>Runs <c>ip</c> inside the namespace.</summary>
    public string Ip(params string[] arguments) => Shell.Run("ip", ["-n", Name, .. arguments]);

    public void AddBridge(string name, params string[] addresses)
    {
        Ip("link", "add", name, "type", "bridge");
        Ip("link", "set", name, "up");
        foreach (var address in addresses)
        {
            // nodad: the address is usable at once, without duplicate address detection.
            Ip(address.Contains(':') ? ["-6", "addr", "add", address, "dev", name, "nodad"] : ["addr", "add", address, "dev", name]);
        }
    }

    public void SetNeighbour(string ip, string? mac, string device, string state) =>
        Ip(mac is null
            ? ["neigh", "replace", ip, "dev", device, "nud", state]
            : ["neigh", "replace", ip, "lladdr", mac, "dev", device, "nud", state]);

    public void DeleteNeighbour(string ip, string device) => Ip("neigh", "del", ip, "dev", device);

    /// <summary>Runs a command inside the namespace.</summary>
    public string Exec(params string[] command) => Shell.Run("ip", ["netns", "exec", Name, .. command]);

    /// <summary>
    /// A vxlan link to <paramref name="remote"/> over <paramref name="device"/>, up, with the
    /// given addresses: the tunnel kind this kernel offers (it has no sit, gre or ip6tnl modules).
    /// </summary>
    public void AddVxlan(string name, int id, string local, string remote, string device, params string[] addresses)
    {
        Ip("link", "add", name, "type", "vxlan", "id", id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "local", local, "remote", remote, "dstport", "4789", "dev", device);
        Ip("link", "set", name, "up");
        foreach (var address in addresses)
        {
            Ip(address.Contains(':') ? ["-6", "addr", "add", address, "dev", name, "nodad"] : ["addr", "add", address, "dev", name]);
        }
    }

    /// <summary>Sends <paramref name="count"/> UDP datagrams of <paramref name="size"/> bytes to the discard port of <paramref name="address"/>, through bash's /dev/udp.</summary>
    public void SendUdp(string address, int count, int size) =>
        Exec("bash", "-c", $"for i in $(seq {count}); do printf '%{size}s' x > /dev/udp/{address}/9; done");

    /// <summary>
    /// Runs <paramref name="work"/> on a thread of its own that has entered the namespace
    /// (setns(2)), and returns its result: a socket opened there stays in the namespace, wherever
    /// it is used afterwards. The test's other threads stay where they are.
    /// </summary>
    public T Inside<T>(Func<T> work)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle($"/run/netns/{Name}");
                if (setns((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
                {
                    throw new IOException($"cannot enter network namespace {Name}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
                }
                result = work();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
        return result;
    }

    private const int CloneNewNet = 0x40000000;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setns(int descriptor, int type);

    public void Dispose() => Shell.TryRun("ip", "netns", "del", Name);
}
