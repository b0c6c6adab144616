namespace DaemonNet.Collector.Storage;

/// <summary>
/// A MAC↔IP binding and the evidence for it. Its key is (MAC, IP, source, device); the neighbour
/// state, lease expiry and hostname change in place without starting a new interval.
/// </summary>
public sealed record BindingFact(string Mac, string Ip, long Source, string Device, long NeighbourState, string Hostname, string ClientId, long? LeaseExpiry)
{
    public (string, string, long, string) Key => (Mac, Ip, Source, Device);
}
