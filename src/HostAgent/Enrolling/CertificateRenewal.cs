using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DaemonNet.HostAgent.Sync;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DaemonNet.HostAgent.Enrolling;

/// <summary>
/// Renews the agent's own certificate when two thirds of its life have passed: a new key, a
/// request over mutual TLS with the current certificate, the new pair written to the state folder
/// (key first), and new connections to the collector, which has revoked the old certificate. Only
/// a certificate the agent keeps itself is renewed; files an admin manages are left to the admin.
/// </summary>
public sealed class CertificateRenewal(AgentCredentials credentials, CollectorClients collectors, IOptions<AgentOptions> options, TimeProvider time,
    ILogger<CertificateRenewal> log) : BackgroundService
{
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan LookAgain = TimeSpan.FromDays(1);
    private static readonly TimeSpan CallDeadline = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!credentials.Renewable)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            var certificate = credentials.Current;
            var due = new DateTimeOffset(certificate.NotBefore) + (certificate.NotAfter - certificate.NotBefore) * 2 / 3;
            // A timer cannot wait two years: look again at least daily.
            if (due - time.GetUtcNow() is { Ticks: > 0 } wait)
            {
                await Task.Delay(wait < LookAgain ? wait : LookAgain, time, stoppingToken);
                continue;
            }
            try
            {
                await RenewAsync(stoppingToken);
            }
            // Nothing may stop the agent: the old certificate lasts a third of its life yet.
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                log.LogWarning("Renewing this agent's certificate (valid until {NotAfter:u}) failed: {Reason}; trying again in {Delay}",
                    certificate.NotAfter.ToUniversalTime(), e is RpcException rpc ? rpc.Status.Detail : e.Message, DurationText.Format(RetryAfter));
                await Task.Delay(RetryAfter, time, stoppingToken);
            }
        }
    }

    private async Task RenewAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={settings.EffectiveHostName}", key, HashAlgorithmName.SHA256).CreateSigningRequest();
        var reply = await new Enrolment.EnrolmentClient(collectors.Channel).RenewAsync(new RenewRequest { CertificateRequest = Convert.ToBase64String(request) },
            deadline: DateTime.UtcNow + CallDeadline, cancellationToken: cancellationToken);
        using var renewed = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(reply.Certificate));
        AgentState.Write(settings.StateDir, AgentState.KeyFile, key.ExportPkcs8PrivateKeyPem());
        AgentState.Write(settings.StateDir, AgentState.CertificateFile, renewed.ExportCertificatePem());
        var replaced = credentials.Current;
        credentials.Replace(renewed.CopyWithPrivateKey(key));
        collectors.Reopen();
        log.LogInformation("Renewed this agent's certificate: serial {New} valid until {NotAfter:u} replaces serial {Old}",
            renewed.SerialNumber, renewed.NotAfter.ToUniversalTime(), replaced.SerialNumber);
    }
}
