using DaemonNet.Protos.V1;

namespace DaemonNet.Collector.Tests.Audit;

/// <summary>A real collector that hosts report to over gRPC, asked for its audit.</summary>
internal sealed class AuditScenario : IAsyncDisposable
{
    private readonly CollectorServer server;
    private ulong sequence;

    private AuditScenario(CollectorServer server) => this.server = server;

    public CollectorServer Server => server;

    public static async Task<AuditScenario> StartAsync(Dictionary<string, string?>? settings = null) =>
        new(await CollectorServer.StartAsync(settings));

    public async Task<AuditScenario> ReportAsync(params HostSnapshot[] snapshots)
    {
        foreach (var snapshot in snapshots)
        {
            using var call = server.Ingest.Sync();
            await call.RequestStream.WriteAsync(new AgentMessage { Sequence = ++sequence, Snapshot = snapshot });
            await call.ResponseStream.MoveNext(CancellationToken.None);
            Assert.Equal(CollectorMessage.BodyOneofCase.Ack, call.ResponseStream.Current.BodyCase);
        }
        return this;
    }

    public async Task<List<Finding>> AuditAsync(AuditRequest? request = null) =>
        [.. (await server.Inventory.AuditAsync(request ?? new AuditRequest())).Findings];

    public async Task<List<Finding>> FindingsAsync(string rule, AuditRequest? request = null) =>
        (await AuditAsync(request)).Where(f => f.Rule == rule).ToList();

    public ValueTask DisposeAsync() => server.DisposeAsync();
}
