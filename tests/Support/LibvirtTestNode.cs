using System.Text;

namespace DaemonNet.Tests.Support;

/// <summary>
/// Writes a node file for libvirt's test driver (<c>test:///abs/path.xml</c>): the club's two
/// networks and the domains a test asks for. Each new connection reads the file afresh, so
/// rewriting it is how a test makes VMs appear, stop or move.
/// </summary>
public sealed class LibvirtTestNode(string path, int hostNumber)
{
    private readonly List<string> domains = [];

    public string Uri => $"test://{path}";

    public LibvirtTestNode Domain(string name, string uuid, bool running, params (string Kind, string Mac, string Source)[] nics)
    {
        var xml = new StringBuilder();
        xml.AppendLine("  <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>");
        xml.AppendLine($"    <name>{name}</name><uuid>{uuid}</uuid><memory>1048576</memory><os><type>hvm</type></os>");
        if (!running)
        {
            xml.AppendLine("    <test:runstate>5</test:runstate>");
        }
        xml.AppendLine("    <devices>");
        foreach (var (kind, mac, source) in nics)
        {
            var attribute = kind == "network" ? "network" : "bridge";
            xml.AppendLine($"      <interface type='{kind}'><mac address='{mac}'/><source {attribute}='{source}'/></interface>");
        }
        xml.AppendLine("    </devices>");
        xml.AppendLine("  </domain>");
        domains.Add(xml.ToString());
        return this;
    }

    /// <summary>Gives the domain added last a qemu guest agent channel.</summary>
    public LibvirtTestNode WithGuestAgent()
    {
        domains[^1] = domains[^1].Replace("    </devices>", "      <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>\n    </devices>");
        return this;
    }

    /// <summary>
    /// Gives the domain added last what a member writes: a title, a description, and DaemonNet's
    /// metadata element with an owner and tags, as <c>virsh desc</c> and <c>virsh metadata</c> leave them.
    /// </summary>
    public LibvirtTestNode WithLabels(string title, string description, string owner, params string[] tags)
    {
        var metadata = $"<dn:vm xmlns:dn='urn:daemonnet:vm:1'><dn:owner>{owner}</dn:owner>{string.Concat(tags.Select(t => $"<dn:tag>{t}</dn:tag>"))}</dn:vm>";
        domains[^1] = domains[^1].Replace("<memory>", $"<title>{title}</title><description>{description}</description><metadata>{metadata}</metadata><memory>", StringComparison.Ordinal);
        return this;
    }

    public LibvirtTestNode Clear()
    {
        domains.Clear();
        return this;
    }

    /// <summary>Writes the file atomically, so an agent never reads half of it.</summary>
    public void Write()
    {
        var xml = $"""
            <node>
              <network>
                <name>nat-bridge</name>
                <uuid>0b1c2d3e-0000-4000-8000-00000000{hostNumber:D2}01</uuid>
                <forward mode='nat'/>
                <bridge name='virbr0'/>
                <ip address='192.168.122.1' netmask='255.255.255.0'>
                  <dhcp><range start='192.168.122.2' end='192.168.122.254'/></dhcp>
                </ip>
                <ip family='ipv6' address='2001:db8:beef:{hostNumber}::1' prefix='64'/>
              </network>
              <network>
                <name>forward-bridge</name>
                <uuid>0b1c2d3e-0000-4000-8000-00000000{hostNumber:D2}02</uuid>
                <forward mode='bridge'/>
                <bridge name='br0'/>
              </network>
            {string.Concat(domains)}</node>
            """;
        File.WriteAllText(path + ".new", xml);
        File.Move(path + ".new", path, overwrite: true);
    }
}
