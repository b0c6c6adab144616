using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.Security;
using DaemonNet.Protos.V1;
using DaemonNet.Protos.Validation;
using Grpc.Core;
using Grpc.Net.Client;

namespace DaemonNet.HostAgent.Enrolling;

/// <summary>What a host needs to enrol: the collector, the token, the CA's fingerprint, its name and state folder, and how long it waits for approval.</summary>
internal sealed record EnrolSettings(string Collector, string TokenFile, string CaPin, string HostName, string StateDir, TimeSpan ApprovalWait);

/// <summary>
/// Enrols this host: fetches the cluster CA and checks it against the pinned fingerprint before it
/// trusts the collector with anything, makes a key that stays in the state folder, and sends a
/// certificate request with the token over TLS that trusts only that CA. A request that waits for
/// an admin is asked again until it is issued, denied, or the wait runs out.
/// </summary>
internal static class Enroller
{
    public const int Enrolled = 0;
    public const int UsageError = 2;
    public const int Unreachable = 3;
    public const int Refused = 4;
    public const int PinMismatch = 5;
    public const int NotApproved = 6;

    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan CallDeadline = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(EnrolSettings settings, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (Problem(settings) is { } problem)
        {
            await error.WriteLineAsync($"daemonnet-agent: {problem}");
            return UsageError;
        }
        string token;
        try
        {
            token = (await File.ReadAllTextAsync(settings.TokenFile, cancellationToken)).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"daemonnet-agent: cannot read the enrolment token file {settings.TokenFile}: {e.Message}");
            return UsageError;
        }
        var collector = new Uri(settings.Collector);
        try
        {
            var (authority, shown) = await FetchAuthorityAsync(collector, cancellationToken);
            using var disposeAuthority = authority;
            using var disposeShown = shown;
            var fingerprint = ClusterTrust.Fingerprint(authority);
            if (!string.Equals(fingerprint, settings.CaPin, StringComparison.OrdinalIgnoreCase) || !ClusterTrust.IsIssuedBy(shown, authority, out _))
            {
                await error.WriteLineAsync($"daemonnet-agent: the collector at {collector} did not prove it belongs to the CA pinned as {settings.CaPin} "
                    + $"(the CA it shows has the fingerprint {fingerprint}): the pin is wrong, or someone is between this host and the collector. Nothing was sent.");
                return PinMismatch;
            }
            AgentState.Write(settings.StateDir, AgentState.AuthorityFile, authority.ExportCertificatePem());
            using var key = AgentState.LoadOrCreateKey(settings.StateDir);
            var request = Convert.ToBase64String(new CertificateRequest($"CN={settings.HostName}", key, HashAlgorithmName.SHA256).CreateSigningRequest());
            return await EnrolAsync(collector, settings, token, request, output, error, cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
        {
            await error.WriteLineAsync($"daemonnet-agent: cannot reach the collector at {collector}: {RpcFailureText.Reason(e)}");
            return Unreachable;
        }
        catch (RpcException e)
        {
            await error.WriteLineAsync($"daemonnet-agent: the collector at {collector} refused the enrolment: {e.Status.Detail}");
            return Refused;
        }
    }

    private static async Task<int> EnrolAsync(Uri collector, EnrolSettings settings, string token, string request, TextWriter output, TextWriter error,
        CancellationToken cancellationToken)
    {
        var trusted = new TlsFiles(Path.Combine(settings.StateDir, AgentState.AuthorityFile), "", "").ServerOnlyClientOptions();
        using var channel = GrpcChannel.ForAddress(collector, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { SslOptions = trusted } });
        var client = new Enrolment.EnrolmentClient(channel);
        var giveUp = DateTime.UtcNow + settings.ApprovalWait;
        var told = false;
        while (true)
        {
            var reply = await client.EnrolAsync(new EnrolRequest { Token = token, HostName = settings.HostName, CertificateRequest = request },
                deadline: DateTime.UtcNow + CallDeadline, cancellationToken: cancellationToken);
            if (reply.Certificate.Length > 0)
            {
                using var certificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(reply.Certificate));
                AgentState.Write(settings.StateDir, AgentState.CertificateFile, certificate.ExportCertificatePem());
                await output.WriteLineAsync($"enrolled {settings.HostName}: certificate serial {certificate.SerialNumber}, valid until {certificate.NotAfter:yyyy-MM-dd HH:mm}Z, "
                    + $"kept in {settings.StateDir}; the agent streams with it when no --cert-file is given");
                return Enrolled;
            }
            if (!told)
            {
                await output.WriteLineAsync(reply.Waiting);
                told = true;
            }
            if (DateTime.UtcNow >= giveUp)
            {
                await error.WriteLineAsync($"daemonnet-agent: no admin approved the request within {DurationText.Format(settings.ApprovalWait)}; "
                    + "it keeps waiting on the collector: run the same 'enrol' again later");
                return NotApproved;
            }
            await Task.Delay(Poll, cancellationToken);
        }
    }

    /// <summary>
    /// The CA as the collector shows it, and the certificate the collector showed. Nothing is
    /// trusted yet on this connection and nothing secret is sent on it: the CA is checked against
    /// the pin, and the collector's certificate against the CA, before the token goes anywhere.
    /// </summary>
    private static async Task<(X509Certificate2 Authority, X509Certificate2 Shown)> FetchAuthorityAsync(Uri collector, CancellationToken cancellationToken)
    {
        X509Certificate2? shown = null;
        var untrusted = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                shown = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                return shown is not null;
            },
        };
        using var channel = GrpcChannel.ForAddress(collector, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { SslOptions = untrusted } });
        var reply = await new Enrolment.EnrolmentClient(channel).AuthorityAsync(new AuthorityRequest(), deadline: DateTime.UtcNow + CallDeadline,
            cancellationToken: cancellationToken);
        return (X509CertificateLoader.LoadCertificate(Convert.FromBase64String(reply.Certificate)), shown!);
    }

    private static string? Problem(EnrolSettings settings)
    {
        if (!Uri.TryCreate(settings.Collector, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
        {
            return $"--collector '{settings.Collector}' is not an https:// URL, e.g. https://collector.example:7460";
        }
        if (settings.TokenFile.Length == 0)
        {
            return "--token-file is empty: give the file holding the token 'daemonnet-collector enrol create' printed";
        }
        if (!settings.CaPin.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase) || settings.CaPin.Length != 7 + 64 || !settings.CaPin[7..].All(char.IsAsciiHexDigit))
        {
            return $"--ca-pin '{settings.CaPin}' is not sha256: followed by 64 hex digits, as 'daemonnet-collector enrol create' printed it";
        }
        return HostNames.IsValid(settings.HostName) ? null : $"--host-name '{settings.HostName}' is not a host name: {HostNames.Rule}";
    }
}
