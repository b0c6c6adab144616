using System.Runtime.InteropServices;

namespace DaemonNet.HostAgent.Sources.Libvirt;

/// <summary>The few libvirt C functions the agent needs (libvirt.so.0, from Debian's libvirt0).</summary>
internal static unsafe partial class LibvirtNative
{
    private const string Library = "libvirt.so.0";

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint virConnectOpenReadOnly(string? uri);

    [LibraryImport(Library)]
    internal static partial int virConnectClose(nint connection);

    [LibraryImport(Library)]
    internal static partial int virConnectListAllDomains(nint connection, nint** domains, uint flags);

    [LibraryImport(Library)]
    internal static partial nint virDomainGetXMLDesc(nint domain, uint flags);

    [LibraryImport(Library)]
    internal static partial int virDomainGetState(nint domain, int* state, int* reason, uint flags);

    [LibraryImport(Library)]
    internal static partial int virDomainIsPersistent(nint domain);

    [LibraryImport(Library)]
    internal static partial int virDomainFree(nint domain);

    [LibraryImport(Library)]
    internal static partial int virConnectListAllNetworks(nint connection, nint** networks, uint flags);

    [LibraryImport(Library)]
    internal static partial nint virNetworkGetXMLDesc(nint network, uint flags);

    [LibraryImport(Library)]
    internal static partial int virNetworkIsActive(nint network);

    [LibraryImport(Library)]
    internal static partial int virNetworkFree(nint network);

    [LibraryImport(Library)]
    internal static partial nint virGetLastErrorMessage();

    [LibraryImport(Library)]
    internal static partial void virSetErrorFunc(nint userData, delegate* unmanaged<nint, nint, void> handler);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint virConnectOpen(string? uri);

    [LibraryImport(Library)]
    internal static partial int virDomainInterfaceAddresses(nint domain, nint** interfaces, uint source, uint flags);

    [LibraryImport(Library)]
    internal static partial void virDomainInterfaceFree(nint iface);

    [LibraryImport(Library)]
    internal static partial int virEventRegisterDefaultImpl();

    [LibraryImport(Library)]
    internal static partial int virEventRunDefaultImpl();

    [LibraryImport(Library)]
    internal static partial int virConnectSetKeepAlive(nint connection, int interval, uint count);

    [LibraryImport(Library)]
    internal static partial int virConnectDomainEventRegisterAny(nint connection, nint domain, int eventId, void* callback, nint opaque, nint free);

    [LibraryImport(Library)]
    internal static partial int virConnectDomainEventDeregisterAny(nint connection, int callbackId);

    [LibraryImport(Library)]
    internal static partial int virConnectNetworkEventRegisterAny(nint connection, nint network, int eventId, void* callback, nint opaque, nint free);

    [LibraryImport(Library)]
    internal static partial int virConnectNetworkEventDeregisterAny(nint connection, int callbackId);

    [LibraryImport(Library)]
    internal static partial int virConnectRegisterCloseCallback(nint connection, delegate* unmanaged<nint, int, nint, void> callback, nint opaque, nint free);

    [LibraryImport(Library)]
    internal static partial int virConnectUnregisterCloseCallback(nint connection, delegate* unmanaged<nint, int, nint, void> callback);
}
