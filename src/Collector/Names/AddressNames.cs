using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using DnsClient;
using DnsClient.Protocol;

namespace DaemonNet.Collector.Names;

/// <summary>A PTR name of an address, and whether the name resolves back to the address (forward-confirmed).</summary>
public sealed record AddressName(string Name, bool Confirmed);

/// <summary>
/// Names of addresses through the system resolver's name servers: each address's PTR name, and
/// whether that name's A or AAAA records lead back to it. Answers are kept for their TTL (at least
/// <see cref="ShortestKeep"/>, at most <see cref="LongestKeep"/>; an address without a name for
/// <see cref="ShortestKeep"/>). Reading a name never waits: <see cref="NameOf"/> answers from what
/// is kept, and <see cref="NameRefresher"/> looks up, in the background, what is missing or old.
/// </summary>
public sealed class AddressNames
{
    public static readonly TimeSpan ShortestKeep = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan LongestKeep = TimeSpan.FromDays(1);

    private readonly LookupClient? client;
    private readonly TimeProvider time;
    private readonly ConcurrentDictionary<string, (AddressName? Name, DateTimeOffset Until)> kept = new(StringComparer.Ordinal);

    public AddressNames(NameOptions options, TimeProvider time)
    {
        this.time = time;
        var servers = options.Enabled ? NameServers(options.ResolvConf) : [];
        client = servers.Count == 0 ? null : new LookupClient(new LookupClientOptions([.. servers])
        {
            // The TTLs are kept here; the client's own cache would hide them.
            UseCache = false,
            Timeout = options.TimeoutDuration,
            Retries = 0,
            ThrowDnsErrors = false,
            UseTcpFallback = true,
        });
    }

    /// <summary>Whether there is a resolver to ask: names are enabled and the resolver's file names a server.</summary>
    public bool CanResolve => client is not null;

    /// <summary>The kept name of an address; null when none is known (yet, or at all).</summary>
    public AddressName? NameOf(string ip) => kept.TryGetValue(ip, out var entry) ? entry.Name : null;

    /// <summary>Whether the address has no kept answer, or one past its TTL.</summary>
    public bool IsDue(string ip) => !kept.TryGetValue(ip, out var entry) || entry.Until <= time.GetUtcNow();

    /// <summary>Looks up an address's PTR name and confirms it forward; keeps the answer for its TTL.</summary>
    /// <returns>The number of queries it took, for the rate limit.</returns>
    public async Task<int> LookUpAsync(string ip, CancellationToken cancellationToken)
    {
        if (client is null || !IPAddress.TryParse(ip, out var address))
        {
            return 0;
        }
        var now = time.GetUtcNow();
        try
        {
            var reverse = await client.QueryReverseAsync(address, cancellationToken);
            var ptr = reverse.Answers.PtrRecords().FirstOrDefault();
            if (ptr is null)
            {
                kept[ip] = (null, now + ShortestKeep);
                return 1;
            }
            var name = ptr.PtrDomainName.Value.TrimEnd('.');
            var forward = await client.QueryAsync(name, address.AddressFamily == AddressFamily.InterNetworkV6 ? QueryType.AAAA : QueryType.A, cancellationToken: cancellationToken);
            var confirmed = forward.Answers.OfType<AddressRecord>().Any(a => a.Address.Equals(address));
            kept[ip] = (new AddressName(name, confirmed), now + Keep(ptr.TimeToLive));
            return 2;
        }
        catch (DnsResponseException)
        {
            // Timed out or refused: what was known stays, and it is asked again after the shortest keep.
            kept[ip] = (NameOf(ip), now + ShortestKeep);
            return 1;
        }
    }

    /// <summary>The addresses a name has (A and AAAA), asked now: for <c>where web1.club.example</c>.</summary>
    public async Task<IReadOnlyList<string>> AddressesOfAsync(string name, CancellationToken cancellationToken)
    {
        if (client is null)
        {
            return [];
        }
        try
        {
            var answers = await Task.WhenAll(
                client.QueryAsync(name, QueryType.A, cancellationToken: cancellationToken),
                client.QueryAsync(name, QueryType.AAAA, cancellationToken: cancellationToken));
            return answers.SelectMany(a => a.Answers.OfType<AddressRecord>()).Select(a => a.Address.ToString()).Distinct(StringComparer.Ordinal).ToList();
        }
        catch (DnsResponseException)
        {
            return [];
        }
    }

    private static TimeSpan Keep(int ttlSeconds) => TimeSpan.FromSeconds(Math.Clamp(ttlSeconds, ShortestKeep.TotalSeconds, LongestKeep.TotalSeconds));

    /// <summary>The <c>nameserver</c> lines of a resolv.conf (port 53, or the port after a '#' as some resolvers write it).</summary>
    public static IReadOnlyList<IPEndPoint> NameServers(string resolvConf)
    {
        if (!File.Exists(resolvConf))
        {
            return [];
        }
        return File.ReadLines(resolvConf)
            .Select(line => line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            .Where(words => words is ["nameserver", _, ..])
            .Select(words => words[1].Split('#'))
            .Select(parts => IPAddress.TryParse(parts[0], out var server)
                ? new IPEndPoint(server, parts.Length > 1 && int.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var port) ? port : 53)
                : null)
            .OfType<IPEndPoint>()
            .ToList();
    }
}
