using System.Xml;
using System.Xml.Linq;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;

namespace DaemonNet.HostAgent.Sources.Libvirt;

/// <summary>
/// Reads what the inventory needs from a libvirt domain's XML (virsh dumpxml): uuid, name, each
/// interface's MAC, attachment and tap device, and the labels members give their VMs (title,
/// description, DaemonNet's metadata). State and persistence come from the API.
/// </summary>
public static class DomainXml
{
    public static Domain Parse(string xml) => Parse(LoadRoot(xml, "domain"));

    /// <summary>The domain, and whether it has a qemu guest agent channel, from one parse of its XML.</summary>
    public static (Domain Domain, bool GuestAgent) ParseWithGuestAgent(string xml)
    {
        var root = LoadRoot(xml, "domain");
        return (Parse(root), HasGuestAgent(root));
    }

    private static Domain Parse(XElement root)
    {
        var domain = new Domain
        {
            Name = Required(root, "name"),
            Uuid = Required(root, "uuid").ToLowerInvariant(),
            Title = OneLine(root.Element("title")?.Value, TitleLength),
            Description = OneLine(root.Element("description")?.Value, DescriptionLength),
        };
        if (root.Element("metadata")?.Element(MetadataNamespace + "vm") is { } labels)
        {
            domain.Owner = OneLine(labels.Element(MetadataNamespace + "owner")?.Value, OwnerLength);
            domain.Tags.Add(labels.Elements(MetadataNamespace + "tag").Select(t => OneLine(t.Value, TagLength))
                .Where(t => t.Length > 0).Distinct(StringComparer.Ordinal).Take(MaxTags));
        }
        foreach (var element in root.Element("devices")?.Elements("interface") ?? [])
        {
            domain.Nics.Add(ParseInterface(element, domain.Name));
        }
        return domain;
    }

    private static Nic ParseInterface(XElement element, string domainName)
    {
        var macText = element.Element("mac")?.Attribute("address")?.Value;
        if (macText is null || !MacAddressText.TryNormalize(macText, out var mac))
        {
            throw new FormatException($"domain {domainName}: interface has no valid <mac address>, found '{macText}'");
        }
        var source = element.Element("source");
        var type = element.Attribute("type")?.Value;
        var nic = new Nic
        {
            Mac = mac,
            Kind = type switch
            {
                "network" => NicKind.Network,
                "bridge" => NicKind.Bridge,
                "direct" => NicKind.Direct,
                _ => NicKind.Other,
            },
            Network = type == "network" ? source?.Attribute("network")?.Value ?? "" : "",
            Bridge = (type == "direct" ? source?.Attribute("dev")?.Value : source?.Attribute("bridge")?.Value) ?? "",
            TargetDev = element.Element("target")?.Attribute("dev")?.Value ?? "",
        };
        return nic;
    }

    /// <summary>
    /// DaemonNet's element in a domain's &lt;metadata&gt;, as a member sets it:
    /// <c>virsh metadata VM --uri urn:daemonnet:vm:1 --key dn --set '&lt;vm&gt;&lt;owner&gt;alice&lt;/owner&gt;&lt;tag&gt;web&lt;/tag&gt;&lt;/vm&gt;'</c>.
    /// </summary>
    public static readonly XNamespace MetadataNamespace = "urn:daemonnet:vm:1";

    // What members write is cut to the contract's limits (WireLimits) here, rather than costing the host its snapshot.
    private const int TitleLength = 256;
    private const int DescriptionLength = 1_024;
    private const int OwnerLength = 64;
    private const int TagLength = 32;
    private const int MaxTags = 16;

    /// <summary>Text as one line: control characters and runs of white space become one space, and it is cut to <paramref name="length"/>.</summary>
    private static string OneLine(string? text, int length)
    {
        var words = string.Join(' ', (text ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(w => string.Concat(w.Where(c => !char.IsControl(c)))));
        return words.Length <= length ? words : words[..length].TrimEnd();
    }

    /// <summary>Whether the domain has a channel for the qemu guest agent (virt-install adds one with --channel or by default for many OS types).</summary>
    private static bool HasGuestAgent(XElement root) =>
        root.Element("devices")?.Elements("channel")
            .Any(c => c.Element("target")?.Attribute("name")?.Value == "org.qemu.guest_agent.0") == true;

    internal static XElement LoadRoot(string xml, string rootName)
    {
        XElement root;
        try
        {
            root = XElement.Parse(xml);
        }
        catch (XmlException e)
        {
            throw new FormatException($"not well-formed {rootName} XML: {e.Message}", e);
        }
        if (root.Name.LocalName != rootName)
        {
            throw new FormatException($"expected <{rootName}> as the root element, found <{root.Name.LocalName}>");
        }
        return root;
    }

    internal static string Required(XElement parent, string name)
    {
        var value = parent.Element(name)?.Value.Trim();
        return string.IsNullOrEmpty(value)
            ? throw new FormatException($"<{parent.Name.LocalName}> has no <{name}>")
            : value;
    }
}
