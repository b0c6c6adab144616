using DaemonNet.Protos.Formats;

namespace DaemonNet.Collector.Names;

/// <summary>How the collector names addresses through DNS (<c>Collector:Names</c>).</summary>
public sealed class NameOptions
{
    public const string At = "Collector:Names";

    /// <summary>Looks the VMs' addresses up at all; off for a collector with no useful resolver.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The system resolver's settings: the name servers asked are its <c>nameserver</c> lines.</summary>
    public string ResolvConf { get; set; } = "/etc/resolv.conf";

    /// <summary>At most this many lookups a second in the background, so that a large cluster never floods the resolver.</summary>
    public int LookupsPerSecond { get; set; } = 20;

    /// <summary>How long one lookup may take before it counts as failed.</summary>
    public string Timeout { get; set; } = "2s";

    /// <summary>How often the addresses are looked over for names missing or past their TTL.</summary>
    public string RefreshEvery { get; set; } = "30s";

    public TimeSpan TimeoutDuration => DurationText.TryParse(Timeout, out var timeout) && timeout > TimeSpan.Zero ? timeout : TimeSpan.FromSeconds(2);

    public TimeSpan RefreshPeriod => DurationText.TryParse(RefreshEvery, out var every) && every > TimeSpan.Zero ? every : TimeSpan.FromSeconds(30);

    public IEnumerable<string> Problems()
    {
        if (LookupsPerSecond is < 1 or > 1_000)
        {
            yield return $"{At}:LookupsPerSecond {LookupsPerSecond} is not between 1 and 1000";
        }
        if (!DurationText.TryParse(Timeout, out var timeout) || timeout <= TimeSpan.Zero)
        {
            yield return $"{At}:Timeout '{Timeout}' is not a positive duration: use {DurationText.AcceptedForms}";
        }
        if (!DurationText.TryParse(RefreshEvery, out var every) || every <= TimeSpan.Zero)
        {
            yield return $"{At}:RefreshEvery '{RefreshEvery}' is not a positive duration: use {DurationText.AcceptedForms}";
        }
    }
}
