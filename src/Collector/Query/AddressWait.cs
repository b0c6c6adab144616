using System.Net.Sockets;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;
using Grpc.Core;

namespace DaemonNet.Collector.Query;

/// <summary>
/// What <c>where --wait</c> and <c>GET /v1/where/{query}?wait=</c> wait for: a VM that matches
/// and holds a current address, of one family if asked. The moment after virt-install.
/// </summary>
public sealed record AddressWait(TimeSpan Timeout, AddressFamily? Family)
{
    /// <summary>Long enough for an installer's first boot; short enough that a forgotten call ends.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromHours(1);

    /// <summary>The wait a request asks for; null when it asks for none.</summary>
    /// <exception cref="RpcException">InvalidArgument: the duration or family is not one, or wait is combined with at.</exception>
    public static AddressWait? From(WhereRequest request)
    {
        if (request.Wait.Length == 0)
        {
            return request.Family.Length == 0 ? null
                : throw Invalid($"family '{request.Family}' belongs to wait: add wait=5m (or another duration) to wait for such an address");
        }
        if (!DurationText.TryParse(request.Wait, out var timeout) || timeout <= TimeSpan.Zero || timeout > Longest)
        {
            throw Invalid($"wait '{request.Wait}' is not a duration up to {DurationText.Format(Longest)}: use {DurationText.AcceptedForms}");
        }
        if (request.At is not null)
        {
            throw Invalid("wait waits for what holds from now on; it cannot be combined with at");
        }
        AddressFamily? family = request.Family switch
        {
            "" => null,
            "inet" => AddressFamily.InterNetwork,
            "inet6" => AddressFamily.InterNetworkV6,
            _ => throw Invalid($"family '{request.Family}' is neither inet nor inet6"),
        };
        return new AddressWait(timeout, family);
    }

    public bool IsSatisfiedBy(WhereReply reply) => reply.Vms.Any(vm => CurrentAddresses(vm).Any(IsOfFamily));

    /// <summary>Why the wait ended empty: "waited 5m for an IPv4 address of 'web1': web1 on daemon2 is running with no address seen".</summary>
    public string WhatWasSeen(WhereReply reply, string query)
    {
        var waited = $"waited {DurationText.Format(Timeout)}";
        if (reply.Vms.Count == 0)
        {
            return $"{waited}: no VM matching '{query}' was defined on any host";
        }
        var wanted = Family switch
        {
            AddressFamily.InterNetwork => "an IPv4 address",
            AddressFamily.InterNetworkV6 => "an IPv6 address",
            _ => "an address",
        };
        var vms = string.Join("; ", reply.Vms.Select(vm =>
        {
            var addresses = CurrentAddresses(vm).Select(a => a.Ip).ToList();
            return $"{vm.Name} on {vm.Host.Name} is {DomainStates.Describe(vm.State)} with "
                + (addresses.Count == 0 ? "no address seen" : string.Join(", ", addresses));
        }));
        return $"{waited} for {wanted} of '{query}': {vms}";
    }

    private static IEnumerable<AddressEvidence> CurrentAddresses(VmLocation vm) => vm.Nics.SelectMany(n => n.Addresses).Where(a => !a.OutlivesVm);

    private bool IsOfFamily(AddressEvidence address) =>
        Family is not { } family || (family == AddressFamily.InterNetworkV6) == IpAddressText.IsIpv6(address.Ip);

    private static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));
}
