namespace DaemonNet.Collector.Facts;

/// <summary>
/// A MAC↔IP binding and the evidence for it. Its key is (MAC, IP, source, device); the neighbour
/// state, lease expiry, hostname and the time last seen change in place without starting a new
/// interval. <paramref name="SeenAt"/> is set only for what the wire showed: when the agent last saw
/// it (collector's clock, Unix ms, to the minute); the row's last_seen keeps it.
/// </summary>
public sealed record BindingFact(string Mac, string Ip, long Source, string Device, long NeighbourState, string Hostname, string ClientId, long? LeaseExpiry,
    long? SeenAt = null)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public (string, string, long, string) Key => (Mac, Ip, Source, Device);
}
