using DaemonNet.Protos.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace DaemonNet.Collector.Tests.Ingestion;

/// <summary>
/// Bytes that are not a valid message at all (invalid UTF-8 in a string, truncated protobuf) sent
/// on a raw stream: refused with a sentence, the store as it was, the collector still serving.
/// </summary>
public class MalformedBytesTests
{
    private static readonly Method<byte[], byte[]> RawSync = new(
        MethodType.DuplexStreaming, "daemonnet.v1.Ingest", "Sync",
        Marshallers.Create(bytes => bytes, bytes => bytes), Marshallers.Create(bytes => bytes, bytes => bytes));

    // AgentMessage { sequence = 1, snapshot = HostSnapshot { host = HostIdentity { name = <bytes> } } }
    private static byte[] SnapshotWithHostName(byte[] name)
    {
        byte[] identity = [0x0A, (byte)name.Length, .. name];
        byte[] snapshot = [0x0A, (byte)identity.Length, .. identity];
        return [0x08, 0x01, 0x12, (byte)snapshot.Length, .. snapshot];
    }

    public static TheoryData<string, byte[]> Malformed() => new()
    {
        { "invalid UTF-8", SnapshotWithHostName([0x64, 0xC3, 0x28, 0x31]) },
        { "truncated", [0x08, 0x01, 0x12, 0x40, 0x0A] },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task Sync_BytesThatAreNoValidMessage_AreRefusedAndTheCollectorKeepsServing(string what, byte[] bytes)
    {
        await using var server = await CollectorServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Url);
        using var call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(RawSync, null, new CallOptions());

        await call.RequestStream.WriteAsync(bytes);
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.True(error.StatusCode == StatusCode.InvalidArgument, $"{what}: {error.Status}");
        Assert.StartsWith("the message is not a valid AgentMessage", error.Status.Detail);
        Assert.Empty((await server.Inventory.ListHostsAsync(new ListHostsRequest())).Hosts);
    }
}
