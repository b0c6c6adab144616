using System.Runtime.InteropServices;
using DaemonNet.Protos.V1;

namespace DaemonNet.HostAgent.Sources.Libvirt;

/// <summary>
/// A read-only libvirt connection that hands out domain and network XML. Opened per collection:
/// it costs little, and it means a restarted libvirtd (or a rewritten test-driver file) is simply
/// seen at the next collection.
/// </summary>
internal sealed unsafe class LibvirtConnection : IDisposable
{
    private static readonly Lock ErrorHandlerLock = new();
    private static bool errorHandlerSet;
    private nint handle;

    private LibvirtConnection(nint handle) => this.handle = handle;

    public static LibvirtConnection OpenReadOnly(string uri)
    {
        SilenceDefaultErrorPrinting();
        var handle = LibvirtNative.virConnectOpenReadOnly(uri);
        if (handle == 0)
        {
            throw new SourceException($"cannot open libvirt at {uri}: {LastError()}");
        }
        return new LibvirtConnection(handle);
    }

    public IReadOnlyList<DomainDescription> ListDomains()
    {
        nint* domains = null;
        var count = LibvirtNative.virConnectListAllDomains(handle, &domains, 0);
        if (count < 0)
        {
            throw new SourceException($"cannot list libvirt domains: {LastError()}");
        }
        try
        {
            var result = new List<DomainDescription>(count);
            for (var i = 0; i < count; i++)
            {
                var xml = TakeString(LibvirtNative.virDomainGetXMLDesc(domains[i], 0), "domain XML");
                int state = 0, reason = 0;
                if (LibvirtNative.virDomainGetState(domains[i], &state, &reason, 0) < 0)
                {
                    throw new SourceException($"cannot read a libvirt domain's state: {LastError()}");
                }
                result.Add(new DomainDescription(xml, (DomainState)state, LibvirtNative.virDomainIsPersistent(domains[i]) == 1));
            }
            return result;
        }
        finally
        {
            for (var i = 0; i < count; i++)
            {
                LibvirtNative.virDomainFree(domains[i]);
            }
            NativeMemory.Free(domains);
        }
    }

    public IReadOnlyList<NetworkDescription> ListNetworks()
    {
        nint* networks = null;
        var count = LibvirtNative.virConnectListAllNetworks(handle, &networks, 0);
        if (count < 0)
        {
            throw new SourceException($"cannot list libvirt networks: {LastError()}");
        }
        try
        {
            var result = new List<NetworkDescription>(count);
            for (var i = 0; i < count; i++)
            {
                var xml = TakeString(LibvirtNative.virNetworkGetXMLDesc(networks[i], 0), "network XML");
                result.Add(new NetworkDescription(xml, LibvirtNative.virNetworkIsActive(networks[i]) == 1));
            }
            return result;
        }
        finally
        {
            for (var i = 0; i < count; i++)
            {
                LibvirtNative.virNetworkFree(networks[i]);
            }
            NativeMemory.Free(networks);
        }
    }

    public void Dispose()
    {
        if (handle != 0)
        {
            LibvirtNative.virConnectClose(handle);
            handle = 0;
        }
    }

    private static string TakeString(nint text, string what)
    {
        if (text == 0)
        {
            throw new SourceException($"cannot read {what}: {LastError()}");
        }
        try
        {
            return Marshal.PtrToStringUTF8(text) ?? "";
        }
        finally
        {
            NativeMemory.Free((void*)text);
        }
    }

    private static string LastError() =>
        Marshal.PtrToStringUTF8(LibvirtNative.virGetLastErrorMessage()) ?? "unknown libvirt error";

    // libvirt prints every error to stderr unless a handler is set; the agent reports errors itself.
    private static void SilenceDefaultErrorPrinting()
    {
        lock (ErrorHandlerLock)
        {
            if (!errorHandlerSet)
            {
                LibvirtNative.virSetErrorFunc(0, &IgnoreError);
                errorHandlerSet = true;
            }
        }
    }

    [UnmanagedCallersOnly]
    private static void IgnoreError(nint userData, nint error)
    {
    }
}

internal sealed record DomainDescription(string Xml, DomainState State, bool Persistent);

internal sealed record NetworkDescription(string Xml, bool Active);
