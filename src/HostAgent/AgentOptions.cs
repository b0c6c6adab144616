using DaemonNet.Protos.Formats;
using DaemonNet.Protos.Security;
using DaemonNet.Protos.V1;
using DaemonNet.Protos.Validation;
using Microsoft.Extensions.Options;

namespace DaemonNet.HostAgent;

/// <summary>The agent's settings: section "Agent" of appsettings.json, DAEMONNET_Agent__* variables, or flags.</summary>
public sealed class AgentOptions
{
    public const string Section = "Agent";

    /// <summary>
    /// The collector's address: https:// with mutual TLS, http:// only with <see cref="Insecure"/>.
    /// Several collectors that share one database are given comma-separated (or by repeating
    /// --collector); the agent streams to one and fails over to the next.
    /// </summary>
    public string Collector { get; set; } = "https://127.0.0.1:7460";

    public IReadOnlyList<string> Collectors => Collector.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The name this host reports; empty means the machine's host name.</summary>
    public string HostName { get; set; } = "";

    public string LibvirtUri { get; set; } = "qemu:///system";

    /// <summary>How often the host is checked for changes, as a duration such as 10s.</summary>
    public string Interval { get; set; } = "10s";

    public string LeasesDir { get; set; } = "/var/lib/libvirt/dnsmasq";

    /// <summary>ifupdown's configuration; the files it sources are read too. "none" on a host without ifupdown.</summary>
    public string InterfacesFile { get; set; } = DefaultInterfacesFile;

    public const string DefaultInterfacesFile = "/etc/network/interfaces";

    public const string NoInterfacesFile = "none";

    /// <summary>The cluster CA, the agent's certificate (issued for this host's name) and its key.</summary>
    public string CaFile { get; set; } = "";

    public string CertFile { get; set; } = "";

    public string KeyFile { get; set; } = "";

    /// <summary>
    /// Ask running guests that have a qemu guest agent for their addresses. This needs a
    /// read-write libvirt connection, used for that call only; false keeps the agent read-only.
    /// </summary>
    public bool GuestAgent { get; set; } = true;

    public const string CaptureAuto = "auto";
    public const string CaptureNone = "none";

    /// <summary>
    /// Where to read ARP and neighbour discovery: auto (every Linux bridge on the host), none, or a
    /// comma-separated list of bridges. Needs CAP_NET_RAW.
    /// </summary>
    public string Capture { get; set; } = CaptureAuto;

    /// <summary>Plain HTTP/2 to a collector running --insecure.</summary>
    public bool Insecure { get; set; }

    /// <summary>
    /// Where the agent keeps what it enrolled with: its key, certificate and the cluster CA (0600).
    /// It streams with them when no certificate file is given.
    /// </summary>
    public string StateDir { get; set; } = "/var/lib/daemonnet-agent";

    /// <summary>At first start without a certificate: enrol with the token in this file (see <see cref="EnrolCaPin"/>).</summary>
    public string EnrolTokenFile { get; set; } = "";

    /// <summary>The cluster CA's fingerprint, sha256:HEX, as 'daemonnet-collector enrol create' printed it.</summary>
    public string EnrolCaPin { get; set; } = "";

    /// <summary>The certificate files given, else those the agent enrolled with.</summary>
    public TlsFiles Tls => CertFile.Length == 0 && KeyFile.Length == 0 ? Enrolling.AgentState.Files(StateDir, CaFile) : new(CaFile, CertFile, KeyFile);

    /// <summary>No certificate yet, and what enrolment needs is given.</summary>
    public bool EnrolsFirst => !Insecure && !Tls.IsComplete && EnrolTokenFile.Length > 0 && EnrolCaPin.Length > 0;

    public TimeSpan IntervalDuration => DurationText.TryParse(Interval, out var interval) ? interval : TimeSpan.Zero;

    public string EffectiveHostName => HostName.Length > 0 ? HostName : Environment.MachineName;
}

/// <summary>Checks the settings at start-up so that a bad one stops the agent with its name in the message.</summary>
public sealed class AgentOptionsValidator : IValidateOptions<AgentOptions>
{
    public ValidateOptionsResult Validate(string? name, AgentOptions options)
    {
        var failures = new List<string>();
        if (options.Collectors.Count == 0)
        {
            failures.Add("Agent:Collector (--collector) is empty: give the collector's URL, e.g. https://collector.example:7460");
        }
        foreach (var url in options.Collectors)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var collector)
                || (collector.Scheme != Uri.UriSchemeHttp && collector.Scheme != Uri.UriSchemeHttps))
            {
                failures.Add($"Agent:Collector (--collector) '{url}' is not an http:// or https:// URL, e.g. https://collector.example:7460");
            }
            else if (options.Insecure != (collector.Scheme == Uri.UriSchemeHttp))
            {
                failures.Add(options.Insecure
                    ? $"Agent:Collector (--collector) '{url}' is https:// but --insecure asks for plain HTTP/2: use http:// with --insecure"
                    : $"Agent:Collector (--collector) '{url}' is plain http://: use https:// with mutual TLS, or --insecure on a network you trust");
            }
        }
        if (!options.Insecure && !options.Tls.IsComplete && !options.EnrolsFirst)
        {
            failures.Add($"Agent: {TlsFiles.Missing}; or enrol: 'daemonnet-agent enrol', or Agent:EnrolTokenFile and Agent:EnrolCaPin for the first start");
        }
        // The collector's bounds on the interval it is told, so that an agent that starts is never refused for it.
        var bounds = WireLimits.Of("HostSnapshot.interval");
        if (!DurationText.TryParse(options.Interval, out var interval) || interval < bounds.ShortestSpan || interval > bounds.LongestSpan)
        {
            failures.Add($"Agent:Interval (--interval) '{options.Interval}' is not a duration of at least {DurationText.Format(bounds.ShortestSpan!.Value)} and at most {DurationText.Format(bounds.LongestSpan!.Value)}: use {DurationText.AcceptedForms}");
        }
        if (options.LibvirtUri.Length == 0)
        {
            failures.Add("Agent:LibvirtUri (--libvirt-uri) is empty: use qemu:///system on a real host");
        }
        // The collector accepts the same names, so an agent that starts is never refused for its name.
        if (!HostNames.IsValid(options.EffectiveHostName))
        {
            failures.Add($"Agent:HostName (--host-name) '{options.EffectiveHostName}' is not a host name: {HostNames.Rule}");
        }
        if (options.Capture is not (AgentOptions.CaptureAuto or AgentOptions.CaptureNone)
            && !options.Capture.Split(',', StringSplitOptions.TrimEntries).All(b => b.Length is > 0 and <= 15 && b.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            failures.Add($"Agent:Capture (--capture) '{options.Capture}' is not auto, none, or a comma-separated list of bridge names, e.g. br0,virbr0");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
