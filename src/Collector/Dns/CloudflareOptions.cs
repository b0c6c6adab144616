namespace DaemonNet.Collector.Dns;

/// <summary>
/// Section Collector:Cloudflare: the zone whose AAAA records the audit checks against the VMs.
/// Off while ZoneId is empty. The API token is read from a file, never from the command line.
/// </summary>
public sealed class CloudflareOptions
{
    public const string DefaultApiUrl = "https://api.cloudflare.com/client/v4";

    public string ZoneId { get; set; } = "";

    /// <summary>A file holding an API token with the zone's DNS Read permission.</summary>
    public string TokenFile { get; set; } = "";

    public string ApiUrl { get; set; } = DefaultApiUrl;

    /// <summary>How often the records are listed again.</summary>
    public string RefreshEvery { get; set; } = "5m";

    /// <summary>A CA to trust for ApiUrl besides the system's (a TLS-inspecting proxy); empty for none.</summary>
    public string CaFile { get; set; } = "";

    public bool Enabled => ZoneId.Length > 0;

    public TimeSpan RefreshPeriod => Protos.Formats.DurationText.TryParse(RefreshEvery, out var every) && every > TimeSpan.Zero ? every : TimeSpan.FromMinutes(5);

    public IEnumerable<string> Problems()
    {
        const string At = "Collector:Cloudflare";
        if (!Enabled)
        {
            yield break;
        }
        if (!System.Text.RegularExpressions.Regex.IsMatch(ZoneId, "^[0-9a-f]{32}$", System.Text.RegularExpressions.RegexOptions.None, Protos.Formats.RegexTimeout.Duration))
        {
            yield return $"{At}:ZoneId '{ZoneId}' is not a zone id: 32 hexadecimal digits, as the zone's Overview page shows";
        }
        if (TokenFile.Length == 0 || !File.Exists(TokenFile))
        {
            yield return $"{At}:TokenFile '{TokenFile}' does not exist: write an API token with DNS Read permission for the zone there (mode 0600)";
        }
        if (!Uri.TryCreate(ApiUrl, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttps)
        {
            yield return $"{At}:ApiUrl '{ApiUrl}' is not an https:// URL";
        }
        if (!Protos.Formats.DurationText.TryParse(RefreshEvery, out var every) || every <= TimeSpan.Zero)
        {
            yield return $"{At}:RefreshEvery '{RefreshEvery}' is not a positive duration: use {Protos.Formats.DurationText.AcceptedForms}";
        }
        if (CaFile.Length > 0 && !File.Exists(CaFile))
        {
            yield return $"{At}:CaFile '{CaFile}' does not exist";
        }
    }
}
