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

    /// <summary>
    /// A read-write connection, for the one call libvirt refuses on a read-only one: asking a
    /// guest agent for its addresses. Everything else the agent does stays read-only.
    /// </summary>
    public static LibvirtConnection OpenReadWrite(string uri) =>
        Open(LibvirtNative.virConnectOpen, uri, $"cannot open libvirt read-write at {uri} (needed to ask guest agents; --guest-agent false turns that off)");

    /// <summary>The running domains, each with its XML; the caller disposes each.</summary>
    public IReadOnlyList<RunningDomain> RunningDomains()
    {
        const uint active = 1;
        nint* domains = null;
        var count = LibvirtNative.virConnectListAllDomains(handle, &domains, active);
        if (count < 0)
        {
            throw new SourceException($"cannot list running libvirt domains: {LastError()}");
        }
        var result = new List<RunningDomain>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                // From here the RunningDomain owns the pointer.
                var domain = new RunningDomain(domains[i]);
                domains[i] = 0;
                result.Add(domain);
                domain.Xml = TakeString(LibvirtNative.virDomainGetXMLDesc(domain.Handle, 0), "domain XML");
            }
            return result;
        }
        catch
        {
            result.ForEach(d => d.Dispose());
            throw;
        }
        finally
        {
            for (var i = 0; i < count; i++)
            {
                if (domains[i] != 0)
                {
                    _ = LibvirtNative.virDomainFree(domains[i]);
                }
            }
            NativeMemory.Free(domains);
        }
    }

    public static LibvirtConnection OpenReadOnly(string uri) => Open(LibvirtNative.virConnectOpenReadOnly, uri, $"cannot open libvirt at {uri}");

    private static LibvirtConnection Open(Func<string?, nint> open, string uri, string failure)
    {
        SilenceDefaultErrorPrinting();
        var opened = open(uri);
        return opened != 0 ? new LibvirtConnection(opened) : throw new SourceException($"{failure}: {LastError()}");
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
                _ = LibvirtNative.virDomainFree(domains[i]);
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
                _ = LibvirtNative.virNetworkFree(networks[i]);
            }
            NativeMemory.Free(networks);
        }
    }

    /// <summary>Hands the open connection over to its new owner, who closes it.</summary>
    public nint Detach()
    {
        var detached = handle;
        handle = 0;
        return detached;
    }

    public void Dispose()
    {
        if (handle != 0)
        {
            _ = LibvirtNative.virConnectClose(handle);
            handle = 0;
        }
    }

    internal static string TakeString(nint text, string what)
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

    internal static string LastError() =>
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
