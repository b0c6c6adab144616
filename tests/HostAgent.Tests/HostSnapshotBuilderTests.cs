using DaemonNet.HostAgent.Sources;
using DaemonNet.HostAgent.Sources.Interfaces;
using DaemonNet.HostAgent.Sources.Leases;
using DaemonNet.HostAgent.Sources.Libvirt;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;
using DaemonNet.Tests.Support;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace DaemonNet.HostAgent.Tests;

public sealed class HostSnapshotBuilderTests : IDisposable
{
    private readonly TempDirectory folder = new();

    public void Dispose() => folder.Dispose();

    private readonly FakeLogger<HostSnapshotBuilder> log = new();

    private readonly MonitorErrors monitors = new();

    private HostSnapshotBuilder Builder(string libvirtUri, string leasesDir, TimeProvider time, string interfacesFile = AgentOptions.NoInterfacesFile)
    {
        var options = Options.Create(new AgentOptions
        {
            HostName = "daemon1", LibvirtUri = libvirtUri, LeasesDir = leasesDir, Interval = "10s", InterfacesFile = interfacesFile,
        });
        ISnapshotSource[] sources = [new LibvirtSource(options, new GuestAgentDomains()), new DnsmasqLeaseSource(options, time), new InterfacesSource(options)];
        return new HostSnapshotBuilder(sources, monitors, options, time, log);
    }

    [Fact]
    public async Task Build_ASourceStartsFailingAndRecovers_LogsEachChangeOnceNotEachPoll()
    {
        var leases = folder.Folder("leases");
        var builder = Builder($"test://{folder.File("node.xml")}", leases, TimeProvider.System);

        await builder.BuildAsync(CancellationToken.None);
        await builder.BuildAsync(CancellationToken.None);
        new LibvirtTestNode(folder.File("node.xml"), 1).Write();
        await builder.BuildAsync(CancellationToken.None);
        await builder.BuildAsync(CancellationToken.None);

        var lines = log.Collector.GetSnapshot().Select(r => $"{r.Level}: {r.Message}").ToList();
        Assert.Equal(2, lines.Count);
        Assert.StartsWith("Warning: Source libvirt fails: ", lines[0]);
        Assert.Contains("node.xml", lines[0]);
        Assert.Equal("Information: Source libvirt recovered", lines[1]);
    }

    [Fact]
    public async Task Build_NoInterfacesFile_IsAStatedConfigurationNotAnError()
    {
        var leases = folder.Folder("leases");

        var none = await Builder($"test://{folder.File("missing.xml")}", leases, TimeProvider.System).BuildAsync(CancellationToken.None);
        var named = await Builder($"test://{folder.File("missing.xml")}", leases, TimeProvider.System, folder.File("interfaces")).BuildAsync(CancellationToken.None);

        Assert.True(none.InterfacesNotConfigured);
        Assert.DoesNotContain(none.Errors, e => e.Source == SourceNames.Interfaces);
        Assert.False(named.InterfacesNotConfigured);
        Assert.Contains(named.Errors, e => e.Source == SourceNames.Interfaces && e.Message.Contains("--interfaces-file none"));
    }

    [Fact]
    public async Task Build_OneSourceFails_ReportsItsErrorAndKeepsTheOthers()
    {
        var leases = folder.Folder("leases");
        DnsmasqStatusFile.Write(leases, "virbr0", ("192.168.122.45", "52:54:00:aa:00:01", "web1", DateTimeOffset.UtcNow.AddHours(1)));

        var snapshot = await Builder($"test://{folder.File("missing.xml")}", leases, TimeProvider.System).BuildAsync(CancellationToken.None);

        var error = Assert.Single(snapshot.Errors);
        Assert.Equal("libvirt", error.Source);
        Assert.Contains("cannot open libvirt", error.Message);
        Assert.Empty(snapshot.Domains);
        Assert.Equal("192.168.122.45", Assert.Single(snapshot.Leases).Ip);
        Assert.Equal(("daemon1", TimeSpan.FromSeconds(10)), (snapshot.Host.Name, snapshot.Interval.ToTimeSpan()));
    }

    [Fact]
    public async Task Build_AnEventMonitorFails_ReportsItAsASourceErrorUntilItRecovers()
    {
        var builder = Builder($"test://{folder.File("missing.xml")}", folder.Folder("leases"), TimeProvider.System);

        monitors.Failed(SourceNames.LibvirtEvents, "cannot follow libvirt events:\nlibvirt's library cannot be loaded");
        var failing = await builder.BuildAsync(CancellationToken.None);
        monitors.Recovered(SourceNames.LibvirtEvents);
        var recovered = await builder.BuildAsync(CancellationToken.None);

        var error = Assert.Single(failing.Errors, e => e.Source == SourceNames.LibvirtEvents);
        Assert.Equal("cannot follow libvirt events: libvirt's library cannot be loaded", error.Message);
        Assert.DoesNotContain(recovered.Errors, e => e.Source == SourceNames.LibvirtEvents);
    }

    [Fact]
    public async Task Build_ALeaseRunsOut_IsLeftOutFromThenOn()
    {
        // Found by the soak: a lease that ran out stayed in every snapshot (the file still lists
        // it), so nothing changed, and its interval stayed open until the host next changed.
        var leases = folder.Folder("leases");
        var clock = new ManualClock(DateTimeOffset.Parse("2026-11-03T14:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        DnsmasqStatusFile.Write(leases, "virbr0", ("192.168.122.45", "52:54:00:aa:00:01", "web1", clock.Now.AddSeconds(30)),
            ("192.168.122.46", "52:54:00:aa:00:02", "db1", DateTimeOffset.UnixEpoch));
        var builder = Builder($"test://{folder.File("missing.xml")}", leases, clock);

        var before = await builder.BuildAsync(CancellationToken.None);
        clock.Now += TimeSpan.FromSeconds(30);
        var after = await builder.BuildAsync(CancellationToken.None);

        Assert.Equal(["192.168.122.45", "192.168.122.46"], before.Leases.Select(l => l.Ip), StringComparer.Ordinal);
        Assert.Equal(["192.168.122.46"], after.Leases.Select(l => l.Ip), StringComparer.Ordinal);
        Assert.NotEqual(ContentHash.Of(before), ContentHash.Of(after), StringComparer.Ordinal);
    }

    [Fact]
    public async Task Build_SameContentAtAnotherTime_HasTheSameContentHash()
    {
        var node = new LibvirtTestNode(folder.File("node.xml"), 1)
            .Domain("b", "5f0c8a52-1111-4a5e-9c1e-00000000000b", running: true)
            .Domain("a", "5f0c8a52-1111-4a5e-9c1e-00000000000a", running: true);
        node.Write();
        var clock = new ManualClock(DateTimeOffset.Parse("2026-11-03T14:05:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var builder = Builder(node.Uri, folder.Folder("leases"), clock);

        var first = await builder.BuildAsync(CancellationToken.None);
        clock.Now += TimeSpan.FromMinutes(5);
        var second = await builder.BuildAsync(CancellationToken.None);
        node.Clear().Domain("a", "5f0c8a52-1111-4a5e-9c1e-00000000000a", running: false).Write();
        var changed = await builder.BuildAsync(CancellationToken.None);

        Assert.NotEqual(first.AgentTime, second.AgentTime);
        Assert.Equal(ContentHash.Of(first), ContentHash.Of(second));
        Assert.NotEqual(ContentHash.Of(first), ContentHash.Of(changed), StringComparer.Ordinal);
        Assert.Equal(["a", "b"], first.Domains.Select(d => d.Name), StringComparer.Ordinal);
    }

    [Fact]
    public void OneLine_MultiLineOrOverlongError_BecomesOneLineTheCollectorAccepts()
    {
        var message = "libvirt: failed\n\tat line 3\u001b[2J" + new string('x', 5_000);

        var line = HostSnapshotBuilder.OneLine(message);

        Assert.StartsWith("libvirt: failed at line 3?[2J", line);
        Assert.Equal(1_024, line.Length);
        Assert.Null(DaemonNet.Protos.Validation.MessageValidator.Problem(new SourceError { Source = "libvirt", Message = line }));
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
