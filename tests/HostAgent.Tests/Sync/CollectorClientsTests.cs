using DaemonNet.HostAgent.Sync;
using DaemonNet.Protos.V1;
using DaemonNet.Tests.Support;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace DaemonNet.HostAgent.Tests.Sync;

public class CollectorClientsTests
{
    [Fact]
    public void Failed_MovesRoundTheListInOrder()
    {
        using var collectors = new CollectorClients(["http://10.0.0.1:7460", "http://10.0.0.2:7460", "http://10.0.0.3:7460"], url => GrpcChannel.ForAddress(url));
        var tried = new List<string>();

        for (var i = 0; i < 4; i++)
        {
            tried.Add(collectors.Url);
            collectors.Failed();
        }

        Assert.Equal(["http://10.0.0.1:7460", "http://10.0.0.2:7460", "http://10.0.0.3:7460", "http://10.0.0.1:7460"], tried);
    }

    [Fact]
    public void OneCollector_StaysWithIt()
    {
        using var collectors = new CollectorClients(["http://10.0.0.1:7460"], url => GrpcChannel.ForAddress(url));

        collectors.Failed();

        Assert.Equal("http://10.0.0.1:7460", collectors.Url);
    }

    /// <summary>
    /// A real gRPC channel on loopback whose own reconnect backoff is a minute, as after an outage of
    /// a few minutes: the first call after the collector is back reaches it all the same.
    /// </summary>
    [Fact]
    public async Task CollectorBackAfterAFailure_TheNextCallReachesIt_WhateverTheChannelsOwnBackoff()
    {
        var port = LoopbackPort.Free();
        using var collectors = new CollectorClients([$"http://127.0.0.1:{port}"],
            url => GrpcChannel.ForAddress(url, new GrpcChannelOptions { InitialReconnectBackoff = TimeSpan.FromMinutes(1) }));
        var refused = await Assert.ThrowsAsync<RpcException>(() => CallAsync(collectors));
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);

        await using var collector = await StartAnsweringUnimplementedAsync(port);
        collectors.Failed();

        var answered = await Assert.ThrowsAsync<RpcException>(() => CallAsync(collectors));
        Assert.Equal(StatusCode.Unimplemented, answered.StatusCode);
    }

    private static async Task CallAsync(CollectorClients collectors) =>
        await new Enrolment.EnrolmentClient(collectors.Channel).RenewAsync(new RenewRequest(), deadline: DateTime.UtcNow.AddSeconds(30));

    /// <summary>A server on the port that answers every gRPC call "unimplemented": a call that gets this reached it.</summary>
    private static async Task<WebApplication> StartAnsweringUnimplementedAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        app.Run(context =>
        {
            context.Response.ContentType = "application/grpc";
            context.Response.AppendTrailer("grpc-status", ((int)StatusCode.Unimplemented).ToString(System.Globalization.CultureInfo.InvariantCulture));
            return Task.CompletedTask;
        });
        await app.StartAsync();
        return app;
    }
}
