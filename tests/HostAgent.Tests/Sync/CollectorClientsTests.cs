using DaemonNet.HostAgent.Sync;
using Grpc.Net.Client;

namespace DaemonNet.HostAgent.Tests.Sync;

public class CollectorClientsTests
{
    [Fact]
    public void Next_AfterEachFailure_MovesRoundTheListInOrder()
    {
        using var collectors = new CollectorClients(["http://10.0.0.1:7460", "http://10.0.0.2:7460", "http://10.0.0.3:7460"], url => GrpcChannel.ForAddress(url));
        var tried = new List<string>();

        for (var i = 0; i < 4; i++)
        {
            tried.Add(collectors.Url);
            collectors.Next();
        }

        Assert.Equal(["http://10.0.0.1:7460", "http://10.0.0.2:7460", "http://10.0.0.3:7460", "http://10.0.0.1:7460"], tried);
    }

    [Fact]
    public void OneCollector_StaysWithIt()
    {
        using var collectors = new CollectorClients(["http://10.0.0.1:7460"], url => GrpcChannel.ForAddress(url));

        collectors.Next();

        Assert.Equal("http://10.0.0.1:7460", collectors.Url);
    }
}
