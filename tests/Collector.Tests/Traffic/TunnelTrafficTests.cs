using DaemonNet.Collector.Tests.Storage;
using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Storage;
using DaemonNet.Collector.Traffic;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;
using DaemonNet.Tests.Support;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using static DaemonNet.Collector.Tests.Snapshots;

namespace DaemonNet.Collector.Tests.Traffic;

public class TunnelTrafficTests
{
    private static async Task SendAsync(CollectorServer server, params AgentMessage[] messages)
    {
        using var call = server.Ingest.Sync();
        ulong sequence = 0;
        foreach (var message in messages)
        {
            message.Sequence = ++sequence;
            await call.RequestStream.WriteAsync(message);
            await call.ResponseStream.MoveNext(CancellationToken.None);
            Assert.Equal(CollectorMessage.BodyOneofCase.Ack, call.ResponseStream.Current.BodyCase);
        }
    }

    // An agent checking every minute, so that minutes between reports are no silence.
    private static HostSnapshot Daemon1()
    {
        var snapshot = Host("daemon1").WithClubNetworks("2001:470:7b3e:1::1/64")
            .WithTunnel("he-ipv6", "10.20.30.11", "216.66.80.26", addresses: ["2001:470:1f0a:a6f::2/64", "fe80::a14:1e0b/64"])
            .WithConfiguredTunnel("he-ipv6", "10.20.30.11", "216.66.80.26");
        snapshot.Interval = Duration.FromTimeSpan(TimeSpan.FromMinutes(1));
        return snapshot;
    }

    private static Heartbeat Beat(HostSnapshot snapshot, ulong rx, ulong tx, uint ifindex = 5)
    {
        var counted = snapshot.Clone();
        counted.Counters = null;
        counted.WithCounters("he-ipv6", rx, tx, ifindex);
        return new Heartbeat { HostName = "daemon1", ContentHash = ContentHash.Of(snapshot), Counters = counted.Counters };
    }

    [Fact]
    public async Task Tunnels_CountersAcrossHeartbeatsAndAReset_GiveVolumeRateAndP95()
    {
        await using var server = await CollectorServer.StartAsync(new(StringComparer.Ordinal)
        {
            ["Collector:Tunnels:daemon1/he-ipv6:Limit"] = "10Mbit",
            ["Collector:Tunnels:daemon1/he-ipv6:RoutedPrefix"] = "2001:470:7b3e::/48",
        });
        var snapshot = Daemon1().WithCounters("he-ipv6", 1_000_000, 500_000);
        await SendAsync(server, new AgentMessage { Snapshot = snapshot });
        // A minute apart (the default sampling): 600 kB, 1.2 MB, then the tunnel is re-created
        // (new ifindex) and counts 300 kB from zero.
        foreach (var (rx, ifindex) in new[] { (1_600_000UL, 5u), (2_800_000UL, 5u), (300_000UL, 6u) })
        {
            server.Clock.Advance(TimeSpan.FromMinutes(1));
            await SendAsync(server, new AgentMessage { Heartbeat = Beat(snapshot, rx, 500_000, ifindex) });
        }

        var reply = await server.Inventory.TunnelsAsync(new TunnelsRequest());

        var tunnel = Assert.Single(Assert.Single(reply.Hosts).Tunnels);
        Assert.Equal(("sit", "10.20.30.11", "216.66.80.26", true), (tunnel.Kind, tunnel.Local, tunnel.Remote, tunnel.Present));
        Assert.Equal(["2001:470:1f0a:a6f::2/64"], tunnel.Prefixes);
        Assert.Equal(("2001:470:7b3e::/48", 10e6), (tunnel.RoutedPrefix, tunnel.LimitBitsPerSecond));
        Assert.Empty(tunnel.Drift);
        Assert.Equal((2_100_000UL, 500_000UL, 3u), (tunnel.Traffic.RxBytes, tunnel.Traffic.TxBytes, tunnel.Traffic.Intervals));
        Assert.Equal(40_000, tunnel.Traffic.RxBitsPerSecond, 3);
        Assert.Equal(160_000, tunnel.Traffic.RxP95BitsPerSecond, 3);
        Assert.Equal(["2001:470:7b3e:1::1/64"], reply.Hosts[0].NetworkPrefixes);
    }

    [Fact]
    public async Task Tunnels_WindowStartingMidInterval_CountsItsShare()
    {
        await using var server = await CollectorServer.StartAsync();
        var snapshot = Daemon1().WithCounters("he-ipv6", 0, 0);
        await SendAsync(server, new AgentMessage { Snapshot = snapshot });
        server.Clock.Advance(TimeSpan.FromSeconds(60));
        await SendAsync(server, new AgentMessage { Heartbeat = Beat(snapshot, 60_000, 0) });

        var reply = await server.Inventory.TunnelsAsync(new TunnelsRequest { Since = Timestamp.FromDateTimeOffset(server.Clock.GetUtcNow().AddSeconds(-24)) });

        Assert.Equal(24_000UL, reply.Hosts[0].Tunnels[0].Traffic.RxBytes);
    }

    [Fact]
    public async Task Counters_ReadingsSoonerThanTheSamplingPeriod_AreCoveredByTheNextRow()
    {
        await using var server = await CollectorServer.StartAsync(new(StringComparer.Ordinal) { ["Collector:TrafficSampleEvery"] = "30s" });
        var snapshot = Daemon1().WithCounters("he-ipv6", 0, 0);
        await SendAsync(server, new AgentMessage { Snapshot = snapshot });
        for (var second = 10; second <= 70; second += 10)
        {
            server.Clock.Advance(TimeSpan.FromSeconds(10));
            await SendAsync(server, new AgentMessage { Heartbeat = Beat(snapshot, (ulong)second * 1_000, 0) });
        }

        var traffic = (await server.Inventory.TunnelsAsync(new TunnelsRequest())).Hosts[0].Tunnels[0].Traffic;

        Assert.Equal((2u, 60_000UL), (traffic.Intervals, traffic.RxBytes));
    }

    [Fact]
    public async Task Counters_RestartWithinTheSamplingPeriod_KeepTheTrafficBeforeIt()
    {
        await using var server = await CollectorServer.StartAsync(new(StringComparer.Ordinal) { ["Collector:TrafficSampleEvery"] = "30s" });
        var snapshot = Daemon1().WithCounters("he-ipv6", 1_000, 0);
        await SendAsync(server, new AgentMessage { Snapshot = snapshot });
        // +10 s: 4,000 more; +20 s: the tunnel was re-created and counts 300; +60 s: 900 on the new link.
        foreach (var (seconds, rx, ifindex) in new[] { (10, 5_000UL, 5u), (10, 300UL, 6u), (40, 900UL, 6u) })
        {
            server.Clock.Advance(TimeSpan.FromSeconds(seconds));
            await SendAsync(server, new AgentMessage { Heartbeat = Beat(snapshot, rx, 0, ifindex) });
        }

        var traffic = (await server.Inventory.TunnelsAsync(new TunnelsRequest())).Hosts[0].Tunnels[0].Traffic;

        Assert.Equal((3u, 4_900UL), (traffic.Intervals, traffic.RxBytes));
    }

    [Fact]
    public async Task Tunnels_DriftMarkers_MissingUnconfiguredAndEndpoint()
    {
        await using var server = await CollectorServer.StartAsync();
        await SendAsync(server, new AgentMessage
        {
            Snapshot = Host("daemon1")
                .WithTunnel("he-ipv6", "10.20.30.11", "216.66.80.30").WithConfiguredTunnel("he-ipv6", "10.20.30.11", "216.66.80.26")
                .WithTunnel("vx0", "10.20.30.11", "10.20.30.12", kind: "vxlan")
                .WithConfiguredTunnel("he-backup", "10.20.30.11", "184.105.253.14", auto: false),
        });

        var tunnels = (await server.Inventory.TunnelsAsync(new TunnelsRequest { Host = "daemon1" })).Hosts[0].Tunnels.ToDictionary(t => t.Name, StringComparer.Ordinal);

        Assert.Equal([TunnelDrift.EndpointDiffers], tunnels["he-ipv6"].Drift);
        Assert.Equal([TunnelDrift.Unconfigured], tunnels["vx0"].Drift);
        Assert.Equal([TunnelDrift.Missing], tunnels["he-backup"].Drift);
        Assert.Equal((false, "v4tunnel"), (tunnels["he-backup"].Present, tunnels["he-backup"].Kind));
    }

    [Fact]
    public async Task Tunnels_SinceInTheFuture_IsInvalidArgument()
    {
        await using var server = await CollectorServer.StartAsync();
        var since = Timestamp.FromDateTimeOffset(server.Clock.GetUtcNow().AddMinutes(5));

        var error = await Assert.ThrowsAsync<RpcException>(async () => await server.Inventory.TunnelsAsync(new TunnelsRequest { Since = since }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("is not in the past", error.Status.Detail);
    }

    [Fact]
    public async Task Tunnels_UnknownHost_IsNotFoundNamingIt()
    {
        await using var server = await CollectorServer.StartAsync();

        var error = await Assert.ThrowsAsync<RpcException>(async () => await server.Inventory.TunnelsAsync(new TunnelsRequest { Host = "nosuch" }));

        Assert.Equal((StatusCode.NotFound, "no host named nosuch has reported; daemonnet hosts lists those that have"), (error.StatusCode, error.Status.Detail));
    }

    [Fact]
    public async Task DownsampleTraffic_AgedRows_AreSummedWithoutLosingVolume()
    {
        using var folder = new TempDirectory();
        var everyReading = new TrafficResolution(TimeSpan.Zero, TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(30));
        using var store = new Store(folder.File("collector.db"), IntervalRules.Default, everyReading);
        var start = DateTimeOffset.Parse("2026-11-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        ulong total = 0;
        for (var i = 0; i <= 240; i++)
        {
            var snapshot = Daemon1().WithCounters("he-ipv6", total, 0);
            await store.Ingest.ApplySnapshotAsync(snapshot, start.AddSeconds(30 * i), CancellationToken.None);
            total += (ulong)(1_000 + i);
        }
        var now = start.AddSeconds(30 * 240);
        var before = await store.State.TrafficAsync(null, start, CancellationToken.None);

        await store.Retention.DownsampleTrafficAsync(everyReading, now, CancellationToken.None);
        var after = await store.State.TrafficAsync(null, start, CancellationToken.None);

        Assert.Equal(240, before.Count);
        Assert.Equal(before.Sum(r => r.RxBytes), after.Sum(r => r.RxBytes));
        Assert.Equal(before.Min(r => r.ValidFrom), after.Min(r => r.ValidFrom));
        Assert.Contains(after, r => r.Resolution == 3600);
        Assert.Contains(after, r => r.Resolution == 300);
        Assert.All(after.Where(r => r.Resolution == 0), r => Assert.True(r.ValidTo >= now.AddMinutes(-20).ToUnixTimeMilliseconds()));
        Assert.True(after.Count < 80, $"{after.Count} rows after downsampling");
    }
}
