using System.Runtime.InteropServices;
using DaemonNet.Protos.Formats;

namespace DaemonNet.HostAgent.Sources.Libvirt;

/// <summary>
/// A running domain held by pointer, for asking its guest agent. It keeps its connection alive
/// (libvirt counts the reference), so a call may outlive the listing that found it.
/// </summary>
internal sealed unsafe class RunningDomain(nint handle) : IDisposable
{
    private const uint AgentSource = 1;

    public nint Handle { get; private set; } = handle;

    public string Xml { get; set; } = "";

    /// <summary>
    /// The guest's interfaces and addresses as its agent reports them. Blocks while libvirt waits
    /// for the agent; throws <see cref="SourceException"/> when the guest has no agent answering.
    /// </summary>
    public List<(string Interface, string Mac, string Ip)> AgentAddresses()
    {
        nint* interfaces = null;
        var count = LibvirtNative.virDomainInterfaceAddresses(Handle, &interfaces, AgentSource, 0);
        if (count < 0)
        {
            throw new SourceException(LibvirtConnection.LastError());
        }
        var result = new List<(string, string, string)>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var iface = (NativeInterface*)interfaces[i];
                var name = Marshal.PtrToStringUTF8(iface->Name) ?? "";
                var mac = MacAddressText.TryNormalize(Marshal.PtrToStringUTF8(iface->HardwareAddress) ?? "", out var normalized) ? normalized : "";
                for (var a = 0; a < iface->AddressCount; a++)
                {
                    result.Add((name, mac, Marshal.PtrToStringUTF8(iface->Addresses[a].Address) ?? ""));
                }
            }
            return result;
        }
        finally
        {
            for (var i = 0; i < count; i++)
            {
                LibvirtNative.virDomainInterfaceFree(interfaces[i]);
            }
            NativeMemory.Free(interfaces);
        }
    }

    public void Dispose()
    {
        if (Handle != 0)
        {
            _ = LibvirtNative.virDomainFree(Handle);
            Handle = 0;
        }
    }

    // virDomainInterface and virDomainIPAddress from libvirt-domain.h.
    [StructLayout(LayoutKind.Sequential)]
    private struct NativeInterface
    {
        public nint Name;
        public nint HardwareAddress;
        public uint AddressCount;
        public NativeAddress* Addresses;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct NativeAddress
    {
        public int Type;
        public nint Address;
        public uint Prefix;
    }
}
