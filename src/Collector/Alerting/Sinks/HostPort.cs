namespace DaemonNet.Collector.Alerting.Sinks;

/// <summary>HOST:PORT as the sinks' settings write it: a name or an address ([…] for IPv6), then a port.</summary>
public static class HostPort
{
    public static bool TryParse(string text, out string host, out int port)
    {
        host = "";
        port = 0;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !ushort.TryParse(text[(colon + 1)..], out var parsed) || parsed == 0)
        {
            return false;
        }
        host = text[..colon].Trim('[', ']');
        port = parsed;
        return host.Length > 0 && Uri.CheckHostName(host) != UriHostNameType.Unknown;
    }
}
