using System.Globalization;
using System.Text;

namespace DaemonNet.Tests.Support.Soak;

/// <summary>A VM as the soak defines it: its NICs are (MAC, network) pairs, its state running or shut off.</summary>
public sealed class SoakVm(string uuid, string name)
{
    public string Uuid { get; } = uuid;

    public string Name { get; } = name;

    public bool Running { get; set; }

    public List<(string Mac, string Network)> Nics { get; } = [];
}

/// <summary>A lease in a host's dnsmasq status file; <see cref="Expiry"/> null never expires (expiry-time 0).</summary>
public sealed record SoakLease(string Ip, string Mac, DateTimeOffset? Expiry);

/// <summary>
/// What one simulated daemon host has, as the soak set it: the VMs in its libvirt node file, the
/// leases in its status file, the neighbour entries in its kernel and its tunnel's state. The
/// facts it states are what the agent must report and the store must hold.
/// </summary>
public sealed class HostModel(string name)
{
    public const string NatBridge = "virbr0";
    public const string LanBridge = "br0";
    public const string Tunnel = "he0";

    public string Name { get; } = name;

    public Dictionary<string, SoakVm> Vms { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, SoakLease> Leases { get; } = new(StringComparer.Ordinal);

    /// <summary>Neighbour entries by (device, IP), each with its MAC.</summary>
    public Dictionary<(string Device, string Ip), string> Neighbours { get; } = [];

    public bool TunnelUp { get; set; } = true;

    public static string NetworkOf(string bridge) => bridge == NatBridge ? "nat-bridge" : "forward-bridge";

    /// <summary>The facts this host states now, each with when it ends by itself (a lease's expiry).</summary>
    public Dictionary<Fact, long?> Facts()
    {
        var facts = new Dictionary<Fact, long?>();
        foreach (var vm in Vms.Values)
        {
            facts[new Fact(FactKind.Placement, Name, vm.Uuid, $"{vm.Name}|{(vm.Running ? "Running" : "Shutoff")}")] = null;
            foreach (var (mac, network) in vm.Nics)
            {
                facts[new Fact(FactKind.Nic, Name, vm.Uuid, $"{mac}|{network}")] = null;
            }
        }
        foreach (var lease in Leases.Values)
        {
            facts[new Fact(FactKind.Binding, Name, lease.Mac, $"{lease.Ip}|Lease|{NatBridge}")] = lease.Expiry?.ToUnixTimeMilliseconds();
        }
        foreach (var ((device, ip), mac) in Neighbours)
        {
            facts[new Fact(FactKind.Binding, Name, mac, $"{ip}|Neighbour|{device}")] = null;
        }
        facts[new Fact(FactKind.Link, Name, Tunnel, TunnelUp ? "up" : "down")] = null;
        return facts;
    }

    /// <summary>The node file for libvirt's test driver: the club's two networks and this host's VMs.</summary>
    public string NodeXml(int hostNumber)
    {
        var xml = new StringBuilder();
        xml.AppendLine("<node>");
        xml.AppendLine(CultureInfo.InvariantCulture, $"""
              <network><name>nat-bridge</name><uuid>0b1c2d3e-0000-4000-8000-00000000{hostNumber:D2}01</uuid><forward mode='nat'/><bridge name='{NatBridge}'/>
                <ip address='192.168.122.1' netmask='255.255.255.0'><dhcp><range start='192.168.122.2' end='192.168.122.254'/></dhcp></ip></network>
              <network><name>forward-bridge</name><uuid>0b1c2d3e-0000-4000-8000-00000000{hostNumber:D2}02</uuid><forward mode='bridge'/><bridge name='{LanBridge}'/></network>
            """);
        foreach (var vm in Vms.Values.OrderBy(v => v.Uuid, StringComparer.Ordinal))
        {
            xml.AppendLine(CultureInfo.InvariantCulture, $"  <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>");
            xml.AppendLine(CultureInfo.InvariantCulture, $"    <name>{vm.Name}</name><uuid>{vm.Uuid}</uuid><memory>1048576</memory><os><type>hvm</type></os>");
            if (!vm.Running)
            {
                xml.AppendLine("    <test:runstate>5</test:runstate>");
            }
            xml.AppendLine("    <devices>");
            foreach (var (mac, network) in vm.Nics)
            {
                xml.AppendLine(CultureInfo.InvariantCulture, $"      <interface type='network'><mac address='{mac}'/><source network='{network}'/></interface>");
            }
            xml.AppendLine("    </devices>");
            xml.AppendLine("  </domain>");
        }
        xml.AppendLine("</node>");
        return xml.ToString();
    }
}
