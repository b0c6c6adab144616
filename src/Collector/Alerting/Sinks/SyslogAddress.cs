namespace DaemonNet.Collector.Alerting.Sinks;

/// <summary>Where a syslog sink sends: udp://HOST:PORT, tcp://HOST:PORT, or unix:///PATH (a datagram socket such as /dev/log).</summary>
public sealed record SyslogAddress(string Transport, string Host, int Port, string Path)
{
    public const string Udp = "udp";
    public const string Tcp = "tcp";
    public const string Unix = "unix";

    public static bool TryParse(string text, out SyslogAddress address)
    {
        address = new SyslogAddress("", "", 0, "");
        var separator = text.IndexOf("://", StringComparison.Ordinal);
        if (separator <= 0)
        {
            return false;
        }
        var transport = text[..separator].ToLowerInvariant();
        var rest = text[(separator + 3)..];
        if (transport == Unix)
        {
            address = address with { Transport = Unix, Path = rest };
            return rest.StartsWith('/');
        }
        if ((transport == Udp || transport == Tcp) && HostPort.TryParse(rest, out var host, out var port))
        {
            address = address with { Transport = transport, Host = host, Port = port };
            return true;
        }
        return false;
    }
}

/// <summary>The syslog facilities by name, with their numbers (RFC 5424, section 6.2.1).</summary>
public static class SyslogFacility
{
    private static readonly string[] Names =
    [
        "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp",
        "ntp", "security", "console", "solaris-cron", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
    ];

    public static bool TryParse(string name, out int facility)
    {
        facility = Array.IndexOf(Names, name.ToLowerInvariant());
        return facility >= 0;
    }
}
