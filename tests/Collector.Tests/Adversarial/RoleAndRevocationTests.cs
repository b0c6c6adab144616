using DaemonNet.Collector.Certificates;
using DaemonNet.Collector.Tests.Certificates;
using DaemonNet.Protos.Security;
using DaemonNet.Protos.V1;
using DaemonNet.Tests.Support;
using Grpc.Core;
using Grpc.Net.Client;
using static DaemonNet.Collector.Tests.Snapshots;

namespace DaemonNet.Collector.Tests.Adversarial;

/// <summary>Every role against every call, refusals charged to who the caller proved to be, and revocation without a restart.</summary>
public class RoleAndRevocationTests : IAsyncLifetime
{
    private TlsCollector cluster = null!;

    public async Task InitializeAsync()
    {
        cluster = await TlsCollector.StartAsync();
        // A collector certificate to call with, as if stolen from the collector's host; the running server keeps its own.
        ClusterCertificates.Issue(cluster.Dir, ClusterCertificates.CollectorName, ClusterTrust.CollectorRole, [], TimeSpan.FromDays(30), DateTimeOffset.UtcNow);
    }

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    private static async Task<CollectorMessage> SendAsync(GrpcChannel channel, params HostSnapshot[] snapshots)
    {
        using var call = new Ingest.IngestClient(channel).Sync();
        CollectorMessage? reply = null;
        foreach (var snapshot in snapshots)
        {
            await call.RequestStream.WriteAsync(new AgentMessage { Sequence = 1, Snapshot = snapshot });
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None), "the collector ended the stream");
            reply = call.ResponseStream.Current;
        }
        return reply!;
    }

    /// <summary>Every RPC of the contract, called with a harmless request.</summary>
    public static TheoryData<string, string> EveryRoleAndCall()
    {
        var data = new TheoryData<string, string>();
        foreach (var role in new[] { "agent", "reader", "collector" })
        {
            var services = new[] { IngestReflection.Descriptor, InventoryReflection.Descriptor, AlertsReflection.Descriptor }.SelectMany(file => file.Services);
            foreach (var method in services.SelectMany(service => service.Methods).Select(m => m.FullName))
            {
                data.Add(role, method);
            }
        }
        return data;
    }

    private static Task Call(GrpcChannel channel, string method, string host) => method.Split('.').Last() switch
    {
        "Where" => new Inventory.InventoryClient(channel).WhereAsync(new WhereRequest { Query = "web1" }).ResponseAsync,
        "ListHosts" => new Inventory.InventoryClient(channel).ListHostsAsync(new ListHostsRequest()).ResponseAsync,
        "ListVms" => new Inventory.InventoryClient(channel).ListVmsAsync(new ListVmsRequest()).ResponseAsync,
        "History" => new Inventory.InventoryClient(channel).HistoryAsync(new HistoryRequest { Query = "web1" }).ResponseAsync,
        "Tunnels" => new Inventory.InventoryClient(channel).TunnelsAsync(new TunnelsRequest()).ResponseAsync,
        "Audit" => new Inventory.InventoryClient(channel).AuditAsync(new AuditRequest()).ResponseAsync,
        "Watch" => FirstEventAsync(channel),
        "Sync" => SendAsync(channel, Host(host)),
        "ListAlerts" => new Alerts.AlertsClient(channel).ListAlertsAsync(new ListAlertsRequest()).ResponseAsync,
        "SendTestAlert" => TestAlertAsync(channel),
        var other => throw new InvalidOperationException($"{other} is a new RPC: add it here, and to RoleTable"),
    };

    /// <summary>This cluster has no sinks: an admitted caller hears that the sink is unknown.</summary>
    private static async Task TestAlertAsync(GrpcChannel channel)
    {
        try
        {
            await new Alerts.AlertsClient(channel).SendTestAlertAsync(new SendTestAlertRequest { Sink = "hook" });
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return;
        }
    }

    private static async Task FirstEventAsync(GrpcChannel channel)
    {
        using var call = new Inventory.InventoryClient(channel).Watch(new WatchRequest { Query = "web1" });
        await call.ResponseStream.MoveNext(CancellationToken.None);
    }

    [Theory]
    [MemberData(nameof(EveryRoleAndCall))]
    public async Task EveryRole_MayCallOnlyWhatItNeeds(string role, string method)
    {
        var name = role switch { "agent" => "daemon1", "reader" => "alice", _ => ClusterCertificates.CollectorName };
        using var channel = cluster.Channel(name);
        var allowed = (role, method.StartsWith("daemonnet.v1.Ingest.", StringComparison.Ordinal)) is ("agent", true) or ("reader", false);

        var error = await Record.ExceptionAsync(() => Call(channel, method, name));

        if (allowed)
        {
            Assert.Null(error);
        }
        else
        {
            var refusal = Assert.IsType<RpcException>(error);
            Assert.Equal(StatusCode.PermissionDenied, refusal.StatusCode);
            Assert.Contains($"has the role '{role}', which may not call", refusal.Status.Detail);
        }
    }

    [Fact]
    public async Task Refusals_AreChargedToTheCertificate_NeverToTheNameAMessageClaims()
    {
        using (var daemon1 = cluster.Channel("daemon1"))
        {
            await SendAsync(daemon1, Host("daemon1"));
        }
        using var reader = cluster.Channel("alice");
        using var daemon2 = cluster.Channel("daemon2");

        await Assert.ThrowsAsync<RpcException>(() => SendAsync(reader, Host("daemon1")));
        await Assert.ThrowsAsync<RpcException>(() => SendAsync(daemon2, Host("daemon1")));
        var bad = Host("daemon1");
        bad.Host.Kernel = new string('k', 300);
        await Assert.ThrowsAsync<RpcException>(() => SendAsync(daemon2, bad));

        var hosts = (await new Inventory.InventoryClient(reader).ListHostsAsync(new ListHostsRequest())).Hosts.ToDictionary(h => h.Status.Name, StringComparer.Ordinal);
        Assert.Equal(0UL, hosts["daemon1"].RejectedMessages);
    }

    [Fact]
    public async Task AgentAskingQuestions_IsRefusedAndCountedAgainstItsHost()
    {
        using var daemon2 = cluster.Channel("daemon2");
        await SendAsync(daemon2, Host("daemon2"));

        await Assert.ThrowsAsync<RpcException>(() => new Inventory.InventoryClient(daemon2).ListHostsAsync(new ListHostsRequest()).ResponseAsync);

        using var reader = cluster.Channel("alice");
        var hosts = (await new Inventory.InventoryClient(reader).ListHostsAsync(new ListHostsRequest())).Hosts;
        Assert.Equal(1UL, hosts.Single(h => h.Status.Name == "daemon2").RejectedMessages);
    }

    [Fact]
    public async Task Revoke_RefusesTheCertificateAtOnce_OnOpenStreamsAndNewConnections()
    {
        using var agent = cluster.Channel("daemon1");
        using var call = new Ingest.IngestClient(agent).Sync();
        await call.RequestStream.WriteAsync(new AgentMessage { Sequence = 1, Snapshot = Host("daemon1") });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));

        ClusterCertificates.Revoke(cluster.Dir, "daemon1", DateTimeOffset.UtcNow);

        // How the client sees a refused handshake depends on timing; what counts is that nothing got in.
        await Eventually.ValueAsync(async () =>
        {
            using var fresh = cluster.Channel("daemon1");
            return await Record.ExceptionAsync(() => SendAsync(fresh, Host("daemon1")));
        }, e => e is not null, "a new connection with the revoked certificate is refused");
        using (var again = cluster.Channel("daemon1"))
        {
            Assert.NotNull(await Record.ExceptionAsync(() => SendAsync(again, Host("daemon1", Vm("after-revocation", 9)))));
        }
        using var reader = cluster.Channel("alice");
        Assert.Empty((await new Inventory.InventoryClient(reader).WhereAsync(new WhereRequest { Query = "after-revocation" })).Vms);
        await call.RequestStream.WriteAsync(new AgentMessage { Sequence = 2, Snapshot = Host("daemon1") });
        var onOpenStream = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.PermissionDenied, onOpenStream.StatusCode);
        Assert.Contains("is revoked", onOpenStream.Status.Detail);
        using var others = cluster.Channel("daemon2");
        Assert.Equal(1UL, (await SendAsync(others, Host("daemon2"))).Ack.Sequence);
    }

    [Fact]
    public async Task Reissue_RevokesTheCertificateItReplaces()
    {
        var oldCopy = cluster.Folder("old");
        File.Copy(Path.Combine(cluster.Dir, "daemon1.pem"), Path.Combine(oldCopy, "daemon1.pem"));
        File.Copy(Path.Combine(cluster.Dir, "daemon1-key.pem"), Path.Combine(oldCopy, "daemon1-key.pem"));

        ClusterCertificates.Issue(cluster.Dir, "daemon1", ClusterTrust.AgentRole, [], TimeSpan.FromDays(30), DateTimeOffset.UtcNow);

        using var renewed = cluster.Channel("daemon1");
        Assert.Equal(1UL, (await SendAsync(renewed, Host("daemon1"))).Ack.Sequence);
        await Eventually.ValueAsync(async () =>
        {
            using var stale = cluster.Channel(oldCopy, "daemon1");
            return await Record.ExceptionAsync(() => SendAsync(stale, Host("daemon1")));
        }, e => e is not null, "the replaced certificate is refused");
    }
}
