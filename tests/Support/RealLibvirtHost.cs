using System.Globalization;

namespace DaemonNet.Tests.Support;

/// <summary>
/// A real libvirtd (Debian's libvirt-daemon-system, qemu-system-x86, ipxe-qemu) with a NAT network
/// of the test's own and diskless guests that boot from it: iPXE asks dnsmasq for a lease, so the
/// guests get real DHCP leases, neighbour entries and SLAAC addresses, then halt with no boot file.
/// <list type="bullet">
/// <item>Nothing leaves the machine: DROP rules for forwarding from and to the bridge sit on top of
/// libvirt's own, and no boot file is offered.</item>
/// <item>Nothing existing is touched: names carry the test process id (Debian's <c>default</c>
/// network on virbr0 is left alone), and only daemons this class started are stopped.</item>
/// <item>Guest number 2 has an infinite lease (<c>&lt;lease expiry='0'/&gt;</c>).</item>
/// </list>
/// Without systemd as PID 1 the daemons are started directly, as PITFALLS describes. Without udev
/// either, /dev/kvm stays root's alone; libvirt then probes qemu with KVM but finds the qemu user
/// cannot open it, and throws its capability cache away at every define (44 s each here, even
/// for a TCG guest). So, for its lifetime, this class gives /dev/kvm to the kvm group (0660, which
/// the qemu user is in), as udev would, and puts the old owner and mode back afterwards.
/// </summary>
public sealed class RealLibvirtHost : IDisposable
{
    public const string Uri = "qemu:///system";
    public const string LeasesDir = "/var/lib/libvirt/dnsmasq";
    public const int InfiniteLeaseGuest = 2;

    private static readonly TimeSpan DaemonPatience = TimeSpan.FromSeconds(60);
    private readonly List<string[]> firewallRules = [];
    private readonly bool startedDaemons;
    private readonly int octet = 20 + Environment.ProcessId % 200;

    private string? kvmWas;

    private RealLibvirtHost(bool startedDaemons) => this.startedDaemons = startedDaemons;

    /// <summary>What every name this host makes starts with: dn, then the test process id.</summary>
    public static string Prefix => $"dn{Environment.ProcessId}";

    public string Network => $"{Prefix}-nat";

    /// <summary>At most 11 characters: Linux allows 15 for a link name.</summary>
    public string Bridge => $"{Prefix}br";

    public string Gateway => $"10.233.{octet}.1";

    public string LeaseFile => Path.Combine(LeasesDir, $"{Bridge}.status");

    public static RealLibvirtHost Start()
    {
        var host = new RealLibvirtHost(EnsureDaemons());
        try
        {
            host.GiveKvmToItsGroup();
            host.StartNetwork();
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    public string Vm(int number) => $"{Prefix}-vm{number}";

    public string Mac(int number) => $"52:54:00:d7:{octet:x2}:{number:x2}";

    public string InfiniteLeaseIp => $"10.233.{octet}.50";

    public static string Virsh(params string[] arguments) => Shell.Run("virsh", ["-c", Uri, "-q", .. arguments]);

    /// <summary>
    /// Defines a diskless guest that boots from the network, under TCG: iPXE needs a second of
    /// it, and KVM nested in these machines (themselves VMs) starts guests that never run (seen:
    /// 19 s of CPU in the host kernel, no DHCP request, then nothing).
    /// </summary>
    public void DefineVm(int number)
    {
        WriteAndRun($"{Vm(number)}.xml", $"""
            <domain type='qemu'>
              <name>{Vm(number)}</name>
              <memory unit='MiB'>64</memory>
              <vcpu>1</vcpu>
              <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='network'/></os>
              <devices>
                <interface type='network'><source network='{Network}'/><mac address='{Mac(number)}'/><model type='virtio'/></interface>
                <serial type='pty'/>
                <console type='pty'/>
                <memballoon model='none'/>
              </devices>
            </domain>
            """, "define");
    }

    /// <summary>The tap device libvirt gave the guest's NIC now; empty while it is stopped.</summary>
    public string TapOf(int number)
    {
        var line = Virsh("domiflist", Vm(number)).Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
        var tap = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
        return tap == "-" ? "" : tap;
    }

    /// <summary>The guest's IPv4 as <c>virsh domifaddr --source lease</c> says; empty while it has none.</summary>
    public static string LeaseAddressOf(string vm)
    {
        var (exitCode, output, _) = Shell.TryRun("virsh", "-c", Uri, "-q", "domifaddr", vm, "--source", "lease");
        return exitCode != 0 ? "" : output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 4 && f[2] == "ipv4").Select(f => f[3].Split('/')[0]).FirstOrDefault() ?? "";
    }

    /// <summary>Restarts libvirtd the way this machine runs it; the guests keep running.</summary>
    public static void RestartLibvirtd()
    {
        if (SystemdIsInit)
        {
            Shell.Run("systemctl", "restart", "libvirtd");
        }
        else
        {
            var pid = int.Parse(File.ReadAllText("/run/libvirtd.pid").Trim(), CultureInfo.InvariantCulture);
            Shell.Run("kill", pid.ToString(CultureInfo.InvariantCulture));
            WaitUntil(() => HasExited(pid), "the old libvirtd to exit");
            Shell.Run("libvirtd", "-d");
        }
        WaitUntil(Answers, "libvirtd to answer again");
    }

    public void Dispose()
    {
        if (Answers())
        {
            foreach (var vm in Virsh("list", "--all", "--name").Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(n => n.StartsWith($"{Prefix}-", StringComparison.Ordinal)))
            {
                Shell.TryRun("virsh", "-c", Uri, "destroy", vm);
                Shell.TryRun("virsh", "-c", Uri, "undefine", vm);
            }
            Shell.TryRun("virsh", "-c", Uri, "net-destroy", Network);
            Shell.TryRun("virsh", "-c", Uri, "net-undefine", Network);
        }
        foreach (var rule in firewallRules)
        {
            Shell.TryRun(rule[0], ["-D", .. rule[1..]]);
        }
        if (startedDaemons)
        {
            StopDaemon("libvirtd");
            StopDaemon("virtlogd");
        }
        if (kvmWas?.Split(' ') is [var mode, var owner])
        {
            Shell.TryRun("chown", owner, Kvm);
            Shell.TryRun("chmod", mode, Kvm);
        }
        foreach (var file in Directory.Exists(Folder) ? Directory.GetFiles(Folder) : [])
        {
            File.Delete(file);
        }
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder);
        }
    }

    private static string Folder => Path.Combine(Path.GetTempPath(), $"{Prefix}-libvirt");

    private const string Kvm = "/dev/kvm";

    private static bool QemuUserCanOpenKvm() =>
        Shell.TryRun("setpriv", "--reuid=libvirt-qemu", "--regid=libvirt-qemu", "--init-groups", "test", "-r", Kvm, "-a", "-w", Kvm).ExitCode == 0;

    private void GiveKvmToItsGroup()
    {
        if (!File.Exists(Kvm) || QemuUserCanOpenKvm())
        {
            return;
        }
        kvmWas = Shell.Run("stat", "-c", "%a %U:%G", Kvm).Trim();
        Shell.Run("chgrp", "kvm", Kvm);
        Shell.Run("chmod", "0660", Kvm);
    }

    private static bool SystemdIsInit => File.Exists("/proc/1/comm") && File.ReadAllText("/proc/1/comm").Trim() == "systemd";

    private static bool Answers() => Shell.TryRun("virsh", "-c", Uri, "version").ExitCode == 0;

    /// <summary>Starts virtlogd and libvirtd unless libvirtd already answers; true when this call started them.</summary>
    private static bool EnsureDaemons()
    {
        if (Answers())
        {
            return false;
        }
        if (SystemdIsInit)
        {
            Shell.Run("systemctl", "start", "virtlogd", "libvirtd");
        }
        else
        {
            if (Shell.TryRun("pgrep", "-x", "virtlogd").ExitCode != 0)
            {
                Shell.Run("virtlogd", "-d");
            }
            Shell.Run("libvirtd", "-d");
        }
        WaitUntil(Answers, "libvirtd to answer");
        return !SystemdIsInit;
    }

    private static void StopDaemon(string name)
    {
        var pidFile = $"/run/{name}.pid";
        if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), CultureInfo.InvariantCulture, out var pid))
        {
            Shell.TryRun("kill", pid.ToString(CultureInfo.InvariantCulture));
            WaitUntil(() => HasExited(pid), $"{name} to exit");
        }
    }

    // A daemon's parent may be an init that does not reap: a zombie has exited too.
    private static bool HasExited(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        try
        {
            var text = File.ReadAllText(stat);
            return text[(text.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return true;
        }
    }

    private void StartNetwork()
    {
        WriteAndRun($"{Network}.xml", $"""
            <network>
              <name>{Network}</name>
              <forward mode='nat'/>
              <bridge name='{Bridge}' stp='off'/>
              <ip address='{Gateway}' netmask='255.255.255.0'>
                <dhcp>
                  <range start='10.233.{octet}.100' end='10.233.{octet}.200'/>
                  <host mac='{Mac(InfiniteLeaseGuest)}' ip='{InfiniteLeaseIp}'><lease expiry='0'/></host>
                </dhcp>
              </ip>
              <ip family='ipv6' address='fd00:233:{octet:x}::1' prefix='64'/>
            </network>
            """, "net-define");
        Virsh("net-start", Network);
        // After net-start, so that they sit above the FORWARD rules libvirt has just inserted.
        foreach (var tool in new[] { "iptables", "ip6tables" })
        {
            foreach (var direction in new[] { "-i", "-o" })
            {
                string[] rule = [tool, "FORWARD", direction, Bridge, "-j", "DROP"];
                Shell.Run(tool, ["-I", "FORWARD", "1", .. rule[2..]]);
                firewallRules.Add([tool, .. rule[1..]]);
            }
        }
    }

    private static void WriteAndRun(string name, string xml, string command)
    {
        Directory.CreateDirectory(Folder);
        var path = Path.Combine(Folder, name);
        File.WriteAllText(path, xml);
        Virsh(command, path);
    }

    private static void WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + DaemonPatience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"waited {DaemonPatience.TotalSeconds} s for {what}");
            }
            Thread.Sleep(100);
        }
    }
}
