using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;

namespace DaemonNet.Collector.Tunnels;

/// <summary>
/// What only the admin knows about a tunnel: its bandwidth limit and the IPv6 prefix routed to the
/// host through it. Configured per HOST/TUNNEL under Collector:Tunnels.
/// </summary>
public sealed class TunnelSettings
{
    /// <summary>A bit rate such as 100Mbit; empty for no limit.</summary>
    public string Limit { get; set; } = "";

    /// <summary>The delegated prefix, e.g. 2001:470:7b3e::/48; empty when unknown.</summary>
    public string RoutedPrefix { get; set; } = "";

    public double LimitBitsPerSecond => BitRate.TryParse(Limit, out var rate) ? rate : 0;

    /// <summary>The problems with one entry, each a sentence naming the key.</summary>
    public IEnumerable<string> Problems(string key)
    {
        var slash = key.IndexOf('/');
        if (slash <= 0 || slash == key.Length - 1)
        {
            yield return $"Collector:Tunnels key '{key}' is not HOST/TUNNEL, e.g. daemon1/he-ipv6";
        }
        if (Limit.Length > 0 && !BitRate.TryParse(Limit, out _))
        {
            yield return $"Collector:Tunnels:{key}:Limit '{Limit}' is not a bit rate: use {BitRate.AcceptedForms}";
        }
        if (RoutedPrefix.Length > 0 && !Ipv6Prefix.TryParseGlobal(RoutedPrefix, out _))
        {
            yield return $"Collector:Tunnels:{key}:RoutedPrefix '{RoutedPrefix}' is not a global IPv6 prefix such as 2001:470:7b3e::/48";
        }
    }
}
