namespace DaemonNet.Protos.Formats;

/// <summary>How a NIC's network is named wherever one name is shown or matched.</summary>
public static class NicNetworks
{
    /// <summary>Its libvirt network, or the bridge it is plugged into when it has none (a forward bridge such as br0).</summary>
    public static string NameOf(string network, string bridge) => network.Length > 0 ? network : bridge;
}
