using System.Collections;
using DaemonNet.HostAgent;
using DaemonNet.Protos.V1;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace DaemonNet.HostAgent.Tests;

/// <summary>
/// The content hash must not depend on the order sources list things in: every list of a
/// snapshot, in any order, sorts to the same bytes. A list added to the contract fails here until
/// the example has two of it and SortLists orders it.
/// </summary>
public class SortListsTests
{
    /// <summary>Lists whose order is the source's own and stable (libvirt's XML order, the kernel's address order): kept as listed.</summary>
    private static readonly string[] KeptInSourceOrder =
        ["Domain.nics", "Network.addresses", "NetworkAddress.dhcp_ranges", "Link.addresses", "ConfiguredInterface.bridge_ports"];

    private static HostSnapshot TwoOfEverything()
    {
        var snapshot = new HostSnapshot
        {
            Domains = { new Domain { Uuid = "5f0c8a52-1111-4a5e-9c1e-000000000001", Name = "a" }, new Domain { Uuid = "5f0c8a52-1111-4a5e-9c1e-000000000002", Name = "b" } },
            Networks = { new Network { Name = "nat-bridge" }, new Network { Name = "forward-bridge" } },
            Links = { new Link { Name = "br0" }, new Link { Name = "virbr0" } },
            Neighbours = { new Neighbour { Ip = "10.0.0.1", Device = "br0" }, new Neighbour { Ip = "10.0.0.2", Device = "br0" } },
            Leases = { new Lease { Ip = "192.168.122.2", Bridge = "virbr0" }, new Lease { Ip = "192.168.122.3", Bridge = "virbr0" } },
            GuestAddresses = { new GuestAddress { Mac = "52:54:00:aa:00:01", Ip = "192.168.122.2" }, new GuestAddress { Mac = "52:54:00:aa:00:02", Ip = "192.168.122.3" } },
            Captured = { new CapturedAddress { Mac = "52:54:00:aa:00:01", Ip = "10.77.0.50", Device = "br0" }, new CapturedAddress { Mac = "52:54:00:aa:00:02", Ip = "10.77.0.51", Device = "br0" } },
            Errors = { new SourceError { Source = "kernel" }, new SourceError { Source = "leases" } },
            Configured = { new ConfiguredInterface { Name = "br0", Family = "inet" }, new ConfiguredInterface { Name = "he-ipv6", Family = "inet6" } },
            Counters = new CounterSample { Links = { new LinkCounters { Link = "br0" }, new LinkCounters { Link = "he-ipv6" } } },
        };
        return snapshot;
    }

    private static IEnumerable<(IMessage Holder, FieldDescriptor Field)> Lists(IMessage message)
    {
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            if (field.IsRepeated)
            {
                yield return (message, field);
            }
            else if (field.FieldType == FieldType.Message && field.MessageType.File.Package == "daemonnet.v1" && field.Accessor.HasValue(message))
            {
                foreach (var inner in Lists((IMessage)field.Accessor.GetValue(message)))
                {
                    yield return inner;
                }
            }
        }
    }

    [Fact]
    public void SortLists_EveryListInReverse_GivesTheSameBytes()
    {
        var listed = TwoOfEverything();
        var reversed = TwoOfEverything();
        foreach (var (holder, field) in Lists(reversed))
        {
            var items = (IList)field.Accessor.GetValue(holder);
            var copy = items.Cast<object>().Reverse().ToList();
            items.Clear();
            copy.ForEach(item => items.Add(item));
        }

        HostSnapshotBuilder.SortLists(listed);
        HostSnapshotBuilder.SortLists(reversed);

        Assert.Equal(listed.ToByteString(), reversed.ToByteString());
    }

    [Fact]
    public void Example_HasTwoOfEveryTopLevelList()
    {
        var lists = Lists(TwoOfEverything()).Where(l => !KeptInSourceOrder.Contains($"{l.Field.ContainingType.Name}.{l.Field.Name}")).ToList();

        Assert.All(lists, l => Assert.True(((IList)l.Field.Accessor.GetValue(l.Holder)).Count >= 2, $"{l.Field.FullName} needs two entries in the example"));
        var allLists = HostSnapshot.Descriptor.Fields.InFieldNumberOrder().Where(f => f.IsRepeated).Select(f => f.Name)
            .Concat(CounterSample.Descriptor.Fields.InFieldNumberOrder().Where(f => f.IsRepeated).Select(f => $"counters.{f.Name}"));
        Assert.Equal(allLists.Count(), lists.Count);
    }
}
