using System.Globalization;

namespace DaemonNet.Tests.Support.Soak;

/// <summary>
/// The soak's changes to the cluster, drawn from its seed: VMs defined, started, stopped,
/// undefined and moved between hosts; NICs added and removed; leases granted (some infinite, some
/// about to run out), renewed and released; neighbour entries appearing, going stale and
/// vanishing; addresses taken over by another MAC; tunnels going down and up. Each is made on the
/// host for real and recorded in the ground truth (<see cref="SoakCluster.ApplyAsync"/>).
/// </summary>
public sealed class Churn(SoakCluster cluster, Random random)
{
    private const int MaxVmsPerHost = 6;
    private int vmCount;
    private int macCount;

    /// <summary>Actions by kind, for the report.</summary>
    public Dictionary<string, int> Counts { get; } = new(StringComparer.Ordinal);

    public int Total => Counts.Values.Sum();

    private readonly (string Kind, int Weight)[] kinds =
    [
        ("define", 10), ("start-stop", 16), ("undefine", 4), ("move", 5), ("nic-add", 4), ("nic-remove", 4),
        ("lease-grant", 14), ("lease-renew", 5), ("lease-release", 5), ("neighbour-appear", 12), ("neighbour-state", 5),
        ("neighbour-vanish", 6), ("takeover", 6), ("tunnel", 3),
    ];

    /// <summary>Makes one change, or none when the drawn kind has nothing to act on now.</summary>
    public async Task StepAsync()
    {
        var pick = random.Next(kinds.Sum(k => k.Weight));
        var kind = kinds.First(k => (pick -= k.Weight) < 0).Kind;
        var host = cluster.Hosts[random.Next(cluster.Hosts.Count)];
        var done = kind switch
        {
            "define" => await DefineAsync(host),
            "start-stop" => await OnVmAsync(host, vm => vm.Running = !vm.Running),
            "undefine" => await UndefineAsync(host),
            "move" => await MoveAsync(host),
            "nic-add" => await OnVmAsync(host, vm => vm.Nics.Add((NewMac(), Network()))),
            "nic-remove" => await OnVmAsync(host, vm => vm.Nics.RemoveAt(random.Next(vm.Nics.Count)), vm => vm.Nics.Count > 1),
            "lease-grant" => await GrantLeaseAsync(host),
            "lease-renew" => await OnLeaseAsync(host, lease => host.Model.Leases[lease.Mac] = lease with { Expiry = Expiry() }),
            "lease-release" => await OnLeaseAsync(host, lease => host.Model.Leases.Remove(lease.Mac)),
            "neighbour-appear" => await NeighbourAsync(host, takeover: false),
            "neighbour-state" => await NeighbourStateAsync(host),
            "neighbour-vanish" => await NeighbourVanishAsync(host),
            "takeover" => await NeighbourAsync(host, takeover: true),
            _ => await TunnelAsync(host),
        };
        if (done)
        {
            Counts[kind] = Counts.GetValueOrDefault(kind) + 1;
        }
    }

    /// <summary>Every MAC the soak gives a VM starts so; the hosts' own links have others.</summary>
    public const string MacPrefix = "52:54:00:5a:";

    private string NewMac() => $"{MacPrefix}{++macCount / 256:x2}:{macCount % 256:x2}";

    private string Network() => random.Next(4) == 0 ? "forward-bridge" : "nat-bridge";

    /// <summary>A lease's expiry: whole seconds, as dnsmasq writes them; some never expire, some run out within seconds.</summary>
    private DateTimeOffset? Expiry() => random.Next(10) switch
    {
        < 2 => null,
        < 4 => DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() + random.Next(3, 9)),
        _ => DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 3600),
    };

    private async Task<bool> DefineAsync(SoakHost host)
    {
        if (host.Model.Vms.Count >= MaxVmsPerHost)
        {
            return false;
        }
        var number = ++vmCount;
        var vm = new SoakVm($"5a0c0000-0000-4000-8000-{number:D12}", $"vm{number}") { Running = random.Next(10) < 7 };
        vm.Nics.Add((NewMac(), Network()));
        if (random.Next(4) == 0)
        {
            vm.Nics.Add((NewMac(), Network()));
        }
        await cluster.ApplyAsync(host, () => host.Model.Vms[vm.Uuid] = vm);
        return true;
    }

    private SoakVm? AnyVm(SoakHost host, Func<SoakVm, bool>? where = null)
    {
        var candidates = host.Model.Vms.Values.Where(where ?? (_ => true)).ToList();
        return candidates.Count == 0 ? null : candidates[random.Next(candidates.Count)];
    }

    private async Task<bool> OnVmAsync(SoakHost host, Action<SoakVm> change, Func<SoakVm, bool>? where = null)
    {
        if (AnyVm(host, where) is not { } vm)
        {
            return false;
        }
        await cluster.ApplyAsync(host, () => change(vm));
        return true;
    }

    private async Task<bool> UndefineAsync(SoakHost host)
    {
        if (host.Model.Vms.Count < 3 || AnyVm(host) is not { } vm)
        {
            return false;
        }
        await cluster.ApplyAsync(host, () => host.Model.Vms.Remove(vm.Uuid));
        return true;
    }

    /// <summary>A VM moves: undefined on its host, then defined and started on another with the same uuid, name and MACs.</summary>
    private async Task<bool> MoveAsync(SoakHost from)
    {
        var targets = cluster.Hosts.Where(h => h != from && h.Model.Vms.Count < MaxVmsPerHost).ToList();
        if (targets.Count == 0 || AnyVm(from) is not { } vm)
        {
            return false;
        }
        var to = targets[random.Next(targets.Count)];
        await cluster.ApplyAsync(from, () => from.Model.Vms.Remove(vm.Uuid));
        vm.Running = true;
        await cluster.ApplyAsync(to, () => to.Model.Vms[vm.Uuid] = vm);
        return true;
    }

    private static string NatIp(int n) => $"192.168.122.{n.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>A lease for a running VM's NAT NIC: a free address, or now and then one leased to another MAC (taken over).</summary>
    private async Task<bool> GrantLeaseAsync(SoakHost host)
    {
        var nics = host.Model.Vms.Values.Where(v => v.Running).SelectMany(v => v.Nics).Where(n => n.Network == "nat-bridge").Select(n => n.Mac).ToList();
        if (nics.Count == 0)
        {
            return false;
        }
        var mac = nics[random.Next(nics.Count)];
        var taken = host.Model.Leases.Values.Where(l => l.Mac != mac).Select(l => l.Ip).ToList();
        var ip = taken.Count > 0 && random.Next(4) == 0 ? taken[random.Next(taken.Count)] : NatIp(random.Next(10, 60));
        await cluster.ApplyAsync(host, () =>
        {
            foreach (var holder in host.Model.Leases.Values.Where(l => l.Ip == ip && l.Mac != mac).ToList())
            {
                host.Model.Leases.Remove(holder.Mac);
            }
            host.Model.Leases[mac] = new SoakLease(ip, mac, Expiry());
        });
        return true;
    }

    private async Task<bool> OnLeaseAsync(SoakHost host, Action<SoakLease> change)
    {
        var leases = host.Model.Leases.Values.ToList();
        if (leases.Count == 0)
        {
            return false;
        }
        var lease = leases[random.Next(leases.Count)];
        await cluster.ApplyAsync(host, () => change(lease));
        return true;
    }

    /// <summary>
    /// A neighbour entry for a VM's MAC, on the bridge of its NIC's network: a NAT VM on its own
    /// host, a LAN VM in any host's br0. With <paramref name="takeover"/>, an address another MAC
    /// holds in that table changes hands.
    /// </summary>
    private async Task<bool> NeighbourAsync(SoakHost host, bool takeover)
    {
        var candidates = cluster.Hosts.SelectMany(h => h.Model.Vms.Values.SelectMany(v => v.Nics)
            .Where(n => n.Network == "forward-bridge" || h == host).Select(n => (n.Mac, Device: n.Network == "nat-bridge" ? HostModel.NatBridge : HostModel.LanBridge))).ToList();
        if (candidates.Count == 0)
        {
            return false;
        }
        var (mac, device) = candidates[random.Next(candidates.Count)];
        string ip;
        if (takeover)
        {
            var others = host.Model.Neighbours.Where(n => n.Key.Device == device && n.Value != mac).Select(n => n.Key.Ip).ToList();
            if (others.Count == 0)
            {
                return false;
            }
            ip = others[random.Next(others.Count)];
        }
        else
        {
            ip = device == HostModel.NatBridge
                ? host.Model.Leases.GetValueOrDefault(mac)?.Ip ?? NatIp(random.Next(10, 60))
                : $"10.77.0.{random.Next(100, 140).ToString(CultureInfo.InvariantCulture)}";
        }
        var state = random.Next(2) == 0 ? "reachable" : "stale";
        await cluster.ApplyAsync(host, () =>
        {
            host.Simulated.Namespace.SetNeighbour(ip, mac, device, state);
            host.Model.Neighbours[(device, ip)] = mac;
        });
        return true;
    }

    /// <summary>An entry going stale or reachable again: its binding goes on, only its state changes.</summary>
    private async Task<bool> NeighbourStateAsync(SoakHost host)
    {
        var entries = host.Model.Neighbours.ToList();
        if (entries.Count == 0)
        {
            return false;
        }
        var ((device, ip), mac) = entries[random.Next(entries.Count)];
        await cluster.ApplyAsync(host, () => host.Simulated.Namespace.SetNeighbour(ip, mac, device, random.Next(2) == 0 ? "reachable" : "stale"));
        return true;
    }

    private async Task<bool> NeighbourVanishAsync(SoakHost host)
    {
        var entries = host.Model.Neighbours.Keys.ToList();
        if (entries.Count == 0)
        {
            return false;
        }
        var (device, ip) = entries[random.Next(entries.Count)];
        await cluster.ApplyAsync(host, () =>
        {
            host.Simulated.Namespace.DeleteNeighbour(ip, device);
            host.Model.Neighbours.Remove((device, ip));
        });
        return true;
    }

    private async Task<bool> TunnelAsync(SoakHost host)
    {
        await cluster.ApplyAsync(host, () =>
        {
            host.Model.TunnelUp = !host.Model.TunnelUp;
            host.Simulated.Namespace.Ip("link", "set", HostModel.Tunnel, host.Model.TunnelUp ? "up" : "down");
        });
        return true;
    }
}
