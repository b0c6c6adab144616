using DaemonNet.Protos.V1;
using DaemonNet.Tests.Support;
using Grpc.Core;
using static DaemonNet.Collector.Tests.Snapshots;

namespace DaemonNet.Collector.Tests.Adversarial;

/// <summary>
/// The collector's database on a real file system that fills up: a small tmpfs this test mounts
/// and unmounts (root, as CI runs). The agent must learn why in a sentence, not "Exception was
/// thrown by handler", and nothing acknowledged may be lost.
/// </summary>
public sealed class FullDiskTests : IDisposable
{
    private readonly TempDirectory folder = new();
    private readonly SmallDisk disk;

    public FullDiskTests()
    {
        disk = new SmallDisk(folder.Folder("disk"), "2m");
    }

    public void Dispose()
    {
        disk.Dispose();
        folder.Dispose();
    }

    private static async Task<CollectorMessage> SendAsync(CollectorServer server, HostSnapshot snapshot)
    {
        using var call = server.Ingest.Sync();
        await call.RequestStream.WriteAsync(new AgentMessage { Sequence = 1, Snapshot = snapshot });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None), "the collector ended the stream");
        return call.ResponseStream.Current;
    }

    private static HostSnapshot Busy(int vms) =>
        Host("daemon1", Enumerable.Range(1, vms).Select(i => Vm($"vm{i}-{new string('x', 200)}", i, DomainState.Running, NatNic($"52:54:00:aa:{i / 256:x2}:{i % 256:x2}"))).ToArray());

    [Fact]
    public async Task FullDisk_SnapshotIsRefusedWithASentence_AndAcceptedOnceThereIsRoom()
    {
        await using var server = await CollectorServer.StartAsync(new(StringComparer.Ordinal) { ["Collector:Db"] = disk.File("collector.db") });
        await SendAsync(server, Host("daemon1", Vm("web1", 1)));
        disk.Fill();

        var error = await Assert.ThrowsAsync<RpcException>(() => SendAsync(server, Busy(500)));

        Assert.True(error.StatusCode is StatusCode.ResourceExhausted or StatusCode.Unavailable, error.ToString());
        Assert.Contains("nothing of this call was stored", error.Status.Detail);
        Assert.DoesNotContain("Exception was thrown by handler", error.Status.Detail);
        Assert.Equal("web1", Assert.Single((await server.Inventory.ListVmsAsync(new ListVmsRequest())).Vms).Name);
        disk.Drain();
        Assert.Equal(CollectorMessage.BodyOneofCase.Ack, (await SendAsync(server, Busy(500))).BodyCase);
        Assert.Equal(500, (await server.Inventory.ListVmsAsync(new ListVmsRequest())).Vms.Count);
    }

    [Fact]
    public async Task FullDisk_HealthIsNotServing_AndServingAgainOnceThereIsRoom()
    {
        await using var server = await CollectorServer.StartAsync(new(StringComparer.Ordinal) { ["Collector:Db"] = disk.File("collector.db") });
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(server.Url);
        var health = new Grpc.Health.V1.Health.HealthClient(channel);
        var before = await health.CheckAsync(new Grpc.Health.V1.HealthCheckRequest());
        disk.Fill();

        var full = await health.CheckAsync(new Grpc.Health.V1.HealthCheckRequest());
        disk.Drain();
        var after = await health.CheckAsync(new Grpc.Health.V1.HealthCheckRequest());

        Assert.Equal(Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, before.Status);
        Assert.Equal(Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.NotServing, full.Status);
        Assert.Equal(Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, after.Status);
    }
}
