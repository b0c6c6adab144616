using DaemonNet.Collector.Tests.Certificates;
using DaemonNet.Protos.V1;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;

namespace DaemonNet.Collector.Tests.Operations;

/// <summary>The standard gRPC health and reflection services, as generic gRPC tools call them, under the role table.</summary>
public class HealthAndReflectionTests
{
    [Fact]
    public async Task Health_AgentsAndReadersMayAsk_AndAHealthyCollectorIsServing()
    {
        await using var cluster = await TlsCollector.StartAsync();
        using var agent = cluster.Channel("daemon1");
        using var reader = cluster.Channel("alice");

        var asAgent = await new Health.HealthClient(agent).CheckAsync(new HealthCheckRequest());
        var asReader = await new Health.HealthClient(reader).CheckAsync(new HealthCheckRequest());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, asAgent.Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, asReader.Status);
    }

    [Fact]
    public async Task Reflection_AReaderListsEveryService_AnAgentMayNot()
    {
        await using var cluster = await TlsCollector.StartAsync();
        using var reader = cluster.Channel("alice");
        using var agent = cluster.Channel("daemon1");

        var services = await ListServicesAsync(reader);
        var refused = await Assert.ThrowsAsync<RpcException>(() => ListServicesAsync(agent));

        Assert.Superset(new HashSet<string>(StringComparer.Ordinal) { Inventory.Descriptor.FullName, Ingest.Descriptor.FullName, Alerts.Descriptor.FullName, "grpc.health.v1.Health" },
            services.ToHashSet(StringComparer.Ordinal));
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
    }

    private static async Task<List<string>> ListServicesAsync(Grpc.Net.Client.GrpcChannel channel)
    {
        using var call = new ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None), "no reflection answer");
        return call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
    }
}
