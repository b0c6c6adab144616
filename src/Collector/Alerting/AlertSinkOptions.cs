using System.Net.Mail;
using DaemonNet.Collector.Alerting.Sinks;
using DaemonNet.Protos.Formats;

namespace DaemonNet.Collector.Alerting;

/// <summary>One sink: its type and the settings that type reads, plus how patiently it is retried.</summary>
public sealed class AlertSinkOptions
{
    public const string Webhook = "webhook";
    public const string Syslog = "syslog";
    public const string Mail = "mail";

    /// <summary>webhook, syslog or mail.</summary>
    public string Type { get; set; } = "";

    /// <summary>webhook: where to POST each alert as JSON.</summary>
    public string Url { get; set; } = "";

    /// <summary>webhook: a file holding the HMAC-SHA256 key the X-DaemonNet-Signature header is made with.</summary>
    public string SecretFile { get; set; } = "";

    /// <summary>syslog: udp://HOST:PORT, tcp://HOST:PORT or unix:///dev/log.</summary>
    public string Address { get; set; } = "";

    /// <summary>syslog: the facility, by name (daemon, local0 … local7, …).</summary>
    public string Facility { get; set; } = "daemon";

    /// <summary>mail: the SMTP relay, HOST:PORT.</summary>
    public string Relay { get; set; } = "";

    public string From { get; set; } = "";

    public List<string> To { get; set; } = [];

    /// <summary>mail: insist on STARTTLS with the relay.</summary>
    public bool StartTls { get; set; }

    /// <summary>mail: log in to the relay as this user, with the password in <see cref="PasswordFile"/>.</summary>
    public string UserName { get; set; } = "";

    public string PasswordFile { get; set; } = "";

    /// <summary>Alerts waiting for this sink at most; one more is dead-lettered at once.</summary>
    public int QueueLength { get; set; } = 1_000;

    /// <summary>The first wait after a failed attempt; each next wait doubles, up to five minutes.</summary>
    public string RetryDelay { get; set; } = "1s";

    /// <summary>How long an alert is retried before it is dead-lettered.</summary>
    public string RetryFor { get; set; } = "24h";

    /// <summary>One attempt's time limit.</summary>
    public string Timeout { get; set; } = "10s";

    public TimeSpan RetryDelayDuration => Duration(RetryDelay, TimeSpan.FromSeconds(1));

    public TimeSpan RetryForDuration => Duration(RetryFor, TimeSpan.FromHours(24));

    public TimeSpan TimeoutDuration => Duration(Timeout, TimeSpan.FromSeconds(10));

    /// <summary>Where this sink sends, for <c>daemonnet alerts</c> and the logs.</summary>
    public string Target => Type switch
    {
        Webhook => Url,
        Syslog => Address,
        _ => $"{string.Join(", ", To)} via {Relay}",
    };

    private static TimeSpan Duration(string text, TimeSpan fallback) => DurationText.TryParse(text, out var value) && value > TimeSpan.Zero ? value : fallback;

    public IEnumerable<string> Problems(string at)
    {
        switch (Type)
        {
            case Webhook:
                if (!Uri.TryCreate(Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
                {
                    yield return $"{at}:Url '{Url}' is not an http:// or https:// URL";
                }
                if (SecretFile.Length > 0 && !File.Exists(SecretFile))
                {
                    yield return $"{at}:SecretFile '{SecretFile}' does not exist: write the webhook's shared secret there (e.g. openssl rand -hex 32 > {SecretFile})";
                }
                break;
            case Syslog:
                if (!SyslogAddress.TryParse(Address, out _))
                {
                    yield return $"{at}:Address '{Address}' is not udp://HOST:PORT, tcp://HOST:PORT or unix:///PATH";
                }
                if (!SyslogFacility.TryParse(Facility, out _))
                {
                    yield return $"{at}:Facility '{Facility}' is not a syslog facility: use daemon, user, local0 … local7, …";
                }
                break;
            case Mail:
                if (!HostPort.TryParse(Relay, out _, out _))
                {
                    yield return $"{at}:Relay '{Relay}' is not HOST:PORT, e.g. smtp.club.example:25";
                }
                if (From.Length == 0 || To.Count == 0)
                {
                    yield return $"{at}: a mail sink needs From and at least one To address";
                }
                foreach (var (name, address) in To.Select(t => ("To", t)).Prepend(("From", From)).Where(a => a.Item2.Length > 0 && !MailAddress.TryCreate(a.Item2, out _)))
                {
                    yield return $"{at}:{name} '{address}' is not a mail address";
                }
                if (PasswordFile.Length > 0 && !File.Exists(PasswordFile))
                {
                    yield return $"{at}:PasswordFile '{PasswordFile}' does not exist";
                }
                break;
            default:
                yield return $"{at}:Type '{Type}' is not webhook, syslog or mail";
                break;
        }
        if (QueueLength < 1)
        {
            yield return $"{at}:QueueLength {QueueLength} must be at least 1";
        }
        foreach (var (name, value) in new[] { ("RetryDelay", RetryDelay), ("RetryFor", RetryFor), ("Timeout", Timeout) })
        {
            if (!DurationText.TryParse(value, out var duration) || duration <= TimeSpan.Zero)
            {
                yield return $"{at}:{name} '{value}' is not a positive duration: use {DurationText.AcceptedForms}";
            }
        }
    }
}
