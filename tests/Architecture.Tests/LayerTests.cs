using System.Reflection;
using NetArchTest.Rules;

namespace DaemonNet.Architecture.Tests;

/// <summary>
/// The layer rules of docs/ARCHITECTURE.md, checked against the built assemblies so that the
/// document cannot drift from the code: the contract stays at the edges of the collector, the
/// catalogue and the model know nothing of how they are stored or asked for, agent sources do
/// not reach into the sync loop, and the CLI knows only the contract.
/// </summary>
public class LayerTests
{
    private static readonly Assembly Collector = typeof(DaemonNet.Collector.Facts.FactCatalogue).Assembly;
    private static readonly Assembly Agent = typeof(DaemonNet.HostAgent.Sources.ISnapshotSource).Assembly;
    private static readonly Assembly Cli = Assembly.Load("daemonnet");

    private const string Contract = "DaemonNet.Protos.V1";

    private static void Holds(TestResult result, string rule) =>
        Assert.True(result.IsSuccessful, $"{rule}; broken by: {string.Join(", ", result.FailingTypeNames ?? [])}");

    [Fact]
    public void Storage_DoesNotUseTheContract() =>
        Holds(Types.InAssembly(Collector).That().ResideInNamespaceStartingWith("DaemonNet.Collector.Storage")
            .ShouldNot().HaveDependencyOn(Contract).GetResult(), "the store keeps the collector's own facts, never the contract's messages");

    [Fact]
    public void AnswersAndAlerts_AreNotTheContract() =>
        Holds(Types.InAssembly(Collector).That().ResideInNamespace("DaemonNet.Collector.Answers")
            .Or().ResideInNamespace("DaemonNet.Collector.Watching")
            .ShouldNot().HaveDependencyOnAny("DaemonNet.Collector.Query", "DaemonNet.Collector.Ingestion", "Grpc.Core").GetResult(),
            "the answers and the change feed are the collector's own model: the edges map them to the contract, not the other way round");

    [Fact]
    public void FactsAnswersAndStorage_DoNotCallTheEdgesOrTheFeatures() =>
        Holds(Types.InAssembly(Collector).That().ResideInNamespaceStartingWith("DaemonNet.Collector.Storage")
            .Or().ResideInNamespace("DaemonNet.Collector.Facts").Or().ResideInNamespace("DaemonNet.Collector.Answers")
            .ShouldNot().HaveDependencyOnAny("DaemonNet.Collector.Query", "DaemonNet.Collector.Ingestion", "DaemonNet.Collector.Alerting",
                "DaemonNet.Collector.Audit", "DaemonNet.Collector.Calls").GetResult(),
            "the catalogue, the model and the store sit below the features and the edges that use them");

    [Fact]
    public void TheCatalogue_DoesNotKnowHowItIsStored() =>
        Holds(Types.InAssembly(Collector).That().ResideInNamespace("DaemonNet.Collector.Facts")
            .ShouldNot().HaveDependencyOnAny("DaemonNet.Collector.Storage", "Dapper", "Microsoft.Data.Sqlite", "Npgsql").GetResult(),
            "a fact kind declares its table and columns; the store builds its statements from them");

    [Fact]
    public void FactsAndAnswers_AreNotAServer() =>
        Holds(Types.InAssembly(Collector).That().ResideInNamespace("DaemonNet.Collector.Facts").Or().ResideInNamespace("DaemonNet.Collector.Answers")
            .ShouldNot().HaveDependencyOnAny("Microsoft.AspNetCore", "Microsoft.Extensions.Hosting", "Grpc.Core").GetResult(),
            "what a fact is and what an answer holds are plain data and rules; the loops and the server that use them live in Operations and the edges");

    [Fact]
    public void AgentSources_DoNotUseTheSyncLoop() =>
        Holds(Types.InAssembly(Agent).That().ResideInNamespaceStartingWith("DaemonNet.HostAgent.Sources")
            .ShouldNot().HaveDependencyOn("DaemonNet.HostAgent.Sync").GetResult(),
            "a source reads the host; when and how the snapshot travels is the sync loop's");

    [Fact]
    public void TheCli_UsesOnlyTheContract() =>
        Holds(Types.InAssembly(Cli).ShouldNot().HaveDependencyOnAny("DaemonNet.Collector", "DaemonNet.HostAgent", "Microsoft.AspNetCore").GetResult(),
            "the CLI asks the collector through the contract alone");
}
