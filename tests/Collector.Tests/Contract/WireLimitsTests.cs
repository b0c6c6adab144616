using System.Collections;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;
using DaemonNet.Protos.Validation;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;

namespace DaemonNet.Collector.Tests.Contract;

/// <summary>
/// Walks every field of every message the collector receives: each has a declared limit, each is
/// set in a full example, and each, pushed past its limit, is refused by a sentence naming it.
/// A field added to the contract fails here until it is bounded and exercised.
/// </summary>
public class WireLimitsTests
{
    /// <summary>The messages the collector receives: what agents send and every request readers make.</summary>
    private static readonly MessageDescriptor[] Received =
        [AgentMessage.Descriptor, .. Inventory.Descriptor.Methods.Select(m => m.InputType), .. Alerts.Descriptor.Methods.Select(m => m.InputType),
            .. Enrolment.Descriptor.Methods.Select(m => m.InputType)];

    private static IEnumerable<FieldDescriptor> AllFields()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Queue<MessageDescriptor>(Received);
        while (pending.TryDequeue(out var message))
        {
            if (message.File.Package != "daemonnet.v1" || !seen.Add(message.FullName))
            {
                continue;
            }
            foreach (var field in message.Fields.InFieldNumberOrder())
            {
                yield return field;
                if (field.FieldType == FieldType.Message)
                {
                    pending.Enqueue(field.MessageType);
                }
            }
        }
    }

    [Fact]
    public void EveryReceivedField_HasALimit_AndEveryLimitNamesAField()
    {
        var fields = AllFields().Select(f => f.FullName).ToList();

        Assert.Equal([], fields.Where(f => WireLimits.For(f) is null), StringComparer.Ordinal);
        Assert.Equal([], WireLimits.All.Select(l => WireLimits.Package + l.Field).Except(fields, StringComparer.Ordinal), StringComparer.Ordinal);
    }

    /// <summary>Messages in which every field the collector receives is set to a valid value.</summary>
    private static IEnumerable<IMessage> FullExamples()
    {
        var time = Timestamp.FromDateTimeOffset(DateTimeOffset.Parse("2026-11-03T14:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var counters = new CounterSample { BootId = "4f1c", Links = { new LinkCounters { Link = "he-ipv6", Ifindex = 5, RxBytes = 1, TxBytes = 2, RxPackets = 3, TxPackets = 4 } } };
        var snapshot = new HostSnapshot
        {
            Host = new HostIdentity { Name = "daemon1", MachineId = "0f3c", AgentVersion = "1.0.0", Kernel = "6.1.0-28-amd64" },
            AgentTime = time,
            Interval = Duration.FromTimeSpan(TimeSpan.FromSeconds(10)),
            Domains =
            {
                new Domain
                {
                    Uuid = "5f0c8a52-1111-4a5e-9c1e-000000000001", Name = "web1", State = DomainState.Running, Persistent = true,
                    Nics = { new Nic { Mac = "52:54:00:aa:00:01", Kind = NicKind.Network, Network = "nat-bridge", Bridge = "virbr0", TargetDev = "vnet0" } },
                    Title = "Alice's web server", Description = "The club site", Owner = "alice", Tags = { "web" },
                },
            },
            Networks =
            {
                new Network
                {
                    Name = "nat-bridge", Uuid = "7a4e", Bridge = "virbr0", ForwardMode = "nat", Active = true,
                    Addresses = { new NetworkAddress { Cidr = "192.168.122.1/24", DhcpRanges = { new DhcpRange { Start = "192.168.122.2", End = "192.168.122.254" } } } },
                },
            },
            Links =
            {
                new Link
                {
                    Name = "he-ipv6", Kind = "sit", Mac = "52:54:00:aa:00:02", Master = "br0", Operstate = "UNKNOWN", Mtu = 1480, Addresses = { "2001:470:1f0a::2/64" },
                    Tunnel = new TunnelEndpoints { Local = "192.0.2.10", Remote = "216.66.80.26", Ttl = 255 },
                },
            },
            Neighbours = { new Neighbour { Ip = "192.168.122.45", Mac = "52:54:00:aa:00:01", Device = "virbr0", State = NeighbourState.Reachable } },
            Leases = { new Lease { Mac = "52:54:00:aa:00:01", Ip = "192.168.122.45", Hostname = "web1", ClientId = "01:52:54", Expiry = time, Bridge = "virbr0" } },
            GuestAddresses = { new GuestAddress { Mac = "52:54:00:aa:00:01", Ip = "192.168.122.45", Device = "virbr0", Interface = "eth0" } },
            Captured = { new CapturedAddress { Mac = "52:54:00:aa:00:01", Ip = "2001:db8:77::50", Device = "br0", Claim = true, LastSeen = time } },
            Errors = { new SourceError { Source = "leases", Message = "virbr0.status: not readable" } },
            Counters = counters,
            Configured =
            {
                new ConfiguredInterface
                {
                    Name = "he-ipv6", Family = "inet6", Method = "v4tunnel", Auto = true, Address = "2001:470:1f0a::2", Netmask = "64", Endpoint = "216.66.80.26",
                    Local = "192.0.2.10", Ttl = 255, Gateway = "2001:470:1f0a::1", Mode = "sit", BridgePorts = { "eno1" }, File = "/etc/network/interfaces", Line = 12,
                },
            },
        };
        // Every field set, so every field's limit is tried; the two interface fields never come together from an agent.
        snapshot.InterfacesNotConfigured = true;
        yield return new AgentMessage { Sequence = 1, Snapshot = snapshot, SentAt = time, Replayed = true };
        yield return new AgentMessage { Sequence = 2, Heartbeat = new Heartbeat { HostName = "daemon1", ContentHash = "ab12", AgentTime = time, Counters = counters.Clone() } };
        yield return new WhereRequest { Query = "web1", At = time };
        yield return new WhereRequest { Query = "web1", Wait = "5m", Family = "inet" };
        yield return new WatchRequest { Query = "web1" };
        yield return new HistoryRequest { Query = "web1", Since = time, Until = time };
        yield return new ListHostsRequest();
        yield return new ListVmsRequest { Host = "daemon1", Owner = "alice" };
        yield return new TunnelsRequest { Host = "daemon1", Since = time };
        yield return new ListAlertsRequest { Since = time, Limit = 20 };
        yield return new SendTestAlertRequest { Sink = "ops" };
        yield return new AuditRequest { NetregGiven = true, Netreg = { new NetRegEntry { Mac = "52-54-00-AA-00-01", Hostname = "web1.club.example" } }, MinSeverity = Severity.Warning };
        yield return new AuthorityRequest();
        yield return new EnrolRequest { Token = "dne_0a1b2c3d_" + new string('e', 64), HostName = "daemon7", CertificateRequest = "MIIBGzCBwgIBADAS" };
        yield return new RenewRequest { CertificateRequest = "MIIBGzCBwgIBADAS" };
    }

    /// <summary>Every place a field is set in a message: the message holding it, the field, and its path as the validator names it.</summary>
    private static IEnumerable<(IMessage Holder, FieldDescriptor Field, string Path)> Occurrences(IMessage message, string path = "")
    {
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            var where = path.Length == 0 ? field.Name : $"{path}.{field.Name}";
            var value = field.Accessor.GetValue(message);
            if (field.IsRepeated)
            {
                var items = (IList)value;
                if (items.Count > 0)
                {
                    yield return (message, field, where);
                }
                if (field.FieldType == FieldType.Message && field.MessageType.File.Package == "daemonnet.v1")
                {
                    for (var i = 0; i < items.Count; i++)
                    {
                        foreach (var inner in Occurrences((IMessage)items[i]!, $"{where}[{i}]"))
                        {
                            yield return inner;
                        }
                    }
                }
            }
            else if (IsSet(message, field, value))
            {
                yield return (message, field, where);
                if (field.FieldType == FieldType.Message && field.MessageType.File.Package == "daemonnet.v1")
                {
                    foreach (var inner in Occurrences((IMessage)value, where))
                    {
                        yield return inner;
                    }
                }
            }
        }
    }

    private static bool IsSet(IMessage message, FieldDescriptor field, object value) => field.FieldType switch
    {
        FieldType.Message => field.Accessor.HasValue(message),
        FieldType.Enum => Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture) != 0,
        _ => !value.Equals(value switch { string => "", bool => false, uint => 0u, ulong => 0ul, _ => value }) || value is not (string or bool or uint or ulong),
    };

    [Fact]
    public void FullExamples_SetEveryReceivedField_AndAreAccepted()
    {
        var examples = FullExamples().ToList();

        Assert.All(examples, e => Assert.Null(MessageValidator.Problem(e)));
        var set = examples.SelectMany(e => Occurrences(e)).Select(o => o.Field.FullName).ToHashSet(StringComparer.Ordinal);
        Assert.Equal([], AllFields().Select(f => f.FullName).Where(f => !set.Contains(f)), StringComparer.Ordinal);
    }

    /// <summary>One way to break a field's limit, with what the refusal must say besides the field's path.</summary>
    private sealed record Breach(string Path, string Expected, Action<IMessage> Apply);

    private static IEnumerable<Breach> Breaches(IMessage holder, FieldDescriptor field, string path)
    {
        var limit = WireLimits.For(field.FullName)!;
        var accessor = field.Accessor;
        if (field.IsRepeated)
        {
            if (limit.MaxCount > 0)
            {
                yield return new Breach(path, $"more than the {limit.MaxCount} allowed", h =>
                {
                    var items = (IList)field.Accessor.GetValue(h);
                    var first = items[0]!;
                    while (items.Count <= limit.MaxCount)
                    {
                        items.Add(first is IMessage m ? Copy(m) : first);
                    }
                });
            }
            if (limit.UniqueBy is not null)
            {
                yield return new Breach(path, "each may appear once", h =>
                {
                    var items = (IList)field.Accessor.GetValue(h);
                    items.Add(Copy((IMessage)items[0]!));
                });
            }
            if (field.FieldType == FieldType.String)
            {
                foreach (var breach in TextBreaches(limit, $"{path}[0]", (h, v) => ((IList)field.Accessor.GetValue(h))[0] = v))
                {
                    yield return breach;
                }
            }
            yield break;
        }
        switch (field.FieldType)
        {
            case FieldType.String:
                foreach (var breach in TextBreaches(limit, path, accessor.SetValue))
                {
                    yield return breach;
                }
                break;
            case FieldType.UInt32 when limit.Max < uint.MaxValue:
                yield return new Breach(path, $"is {limit.Max + 1}, outside", h => accessor.SetValue(h, (uint)(limit.Max + 1)));
                break;
            case FieldType.UInt64 when limit.Max < ulong.MaxValue:
                yield return new Breach(path, $"is {limit.Max + 1}, outside", h => accessor.SetValue(h, limit.Max + 1));
                break;
            case FieldType.Enum:
                yield return new Breach(path, $"which is no {field.EnumType.Name}", h => accessor.SetValue(h, 99));
                break;
            case FieldType.Message when field.MessageType.FullName == Timestamp.Descriptor.FullName:
                yield return new Breach(path, "is not a time", h => accessor.SetValue(h, new Timestamp { Seconds = WireLimits.LatestTime.ToUnixTimeSeconds() }));
                yield return new Breach(path, "is not a time", h => accessor.SetValue(h, new Timestamp { Seconds = -1 }));
                yield return new Breach(path, "is not a time", h => accessor.SetValue(h, new Timestamp { Nanos = -1 }));
                break;
            case FieldType.Message when field.MessageType.FullName == Duration.Descriptor.FullName:
                yield return new Breach(path, "is not a duration", h => accessor.SetValue(h, new Duration { Seconds = Duration.MaxSeconds }));
                yield return new Breach(path, "is not a duration", h => accessor.SetValue(h, new Duration { Seconds = -1 }));
                yield return new Breach(path, "is not a duration", h => accessor.SetValue(h, Duration.FromTimeSpan((limit.ShortestSpan ?? TimeSpan.Zero) - TimeSpan.FromMilliseconds(1))));
                break;
        }
    }

    private static IMessage Copy(IMessage message) => message.Descriptor.Parser.ParseFrom(message.ToByteString());

    private static IEnumerable<Breach> TextBreaches(FieldLimit limit, string path, Action<IMessage, object> set)
    {
        yield return new Breach(path, $"more than the {limit.MaxLength} allowed", h => set(h, new string('a', limit.MaxLength + 1)));
        yield return new Breach(path, limit.Format == TextFormat.Line ? "control character" : "is not", h => set(h, "x\u001b[2J"));
        if (!limit.MayBeEmpty)
        {
            yield return new Breach(path, "is empty", h => set(h, ""));
        }
    }

    public static TheoryData<int, int> BreachCases()
    {
        var cases = new TheoryData<int, int>();
        var examples = FullExamples().ToList();
        for (var e = 0; e < examples.Count; e++)
        {
            var occurrences = Occurrences(examples[e]).ToList();
            for (var o = 0; o < occurrences.Count; o++)
            {
                var (holder, field, path) = occurrences[o];
                for (var b = 0; b < Breaches(holder, field, path).Count(); b++)
                {
                    cases.Add(e, o * 100 + b);
                }
            }
        }
        return cases;
    }

    [Theory]
    [MemberData(nameof(BreachCases))]
    public void AnyField_PastItsLimit_IsRefusedNamingIt(int example, int breachCase)
    {
        var message = FullExamples().ElementAt(example);
        var (holder, field, path) = Occurrences(message).ElementAt(breachCase / 100);
        var breach = Breaches(holder, field, path).ElementAt(breachCase % 100);

        breach.Apply(holder);

        var problem = MessageValidator.Problem(message);
        Assert.NotNull(problem);
        Assert.StartsWith(breach.Path, problem);
        Assert.Contains(breach.Expected, problem);
    }
}
