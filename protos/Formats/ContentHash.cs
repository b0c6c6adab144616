using System.Security.Cryptography;
using DaemonNet.Protos.V1;
using Google.Protobuf;

namespace DaemonNet.Protos.Formats;

/// <summary>
/// The content hash that heartbeats carry. Agent and collector must compute it the same way, so it
/// lives beside the contract: SHA-256 of the snapshot's bytes without the agent clock and the
/// traffic counters, which change every time and say nothing about content.
/// </summary>
public static class ContentHash
{
    public static string Of(HostSnapshot snapshot)
    {
        var content = snapshot.Clone();
        content.AgentTime = null;
        content.Counters = null;
        return Convert.ToHexStringLower(SHA256.HashData(content.ToByteArray()));
    }
}
