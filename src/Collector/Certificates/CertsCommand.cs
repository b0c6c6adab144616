using System.CommandLine;
using DaemonNet.Collector.Tokens;
using DaemonNet.Protos.Security;
using DaemonNet.Protos.V1;

namespace DaemonNet.Collector.Certificates;

/// <summary>
/// <c>daemonnet-collector certs init|issue|revoke|list</c>: the cluster CA, the collector's
/// certificate, certificates for agents (named after their host) and readers, and their revocation.
/// </summary>
internal static class CertsCommand
{
    private const int Done = 0;
    private const int Refused = 2;

    private static readonly Option<string> Directory = new("--dir") { Description = "Folder of the cluster's PEM files", HelpName = "DIR", Required = true };
    private static readonly Option<string[]> Sans = new("--san")
    {
        Description = "Another DNS name or IP address the certificate is valid for (repeatable); for the collector, every address agents dial",
        HelpName = "NAME_OR_IP",
        AllowMultipleArgumentsPerToken = false,
    };
    private static readonly Option<int> Days = new("--days") { Description = "Validity in days (default 730)", DefaultValueFactory = _ => 730 };
    private static readonly Option<string> Name = new("--name") { Description = "The host name (agent) or person (reader)", HelpName = "NAME", Required = true };
    private static readonly Option<string> Role = new("--role") { Description = "agent or reader", HelpName = "ROLE", Required = true };
    private static readonly Option<string> RevokedName = new("--name") { Description = "The name whose current certificate to revoke", HelpName = "NAME", Required = true };
    private static readonly Option<string> RenewedName = new("--name") { Description = "The name whose certificate to renew, e.g. collector", HelpName = "NAME", Required = true };

    /// <summary>A certificate that expires within this time is listed as expiring.</summary>
    private static readonly TimeSpan ExpiringWithin = TimeSpan.FromDays(30);

    public static Command Create()
    {
        var init = new Command("init", "Create the cluster CA and the collector's certificate") { Directory, Sans, Days };
        init.SetAction(parse => Run(() => ClusterCertificates.Init(
            parse.GetValue(Directory)!, parse.GetValue(Sans) ?? [], TimeSpan.FromDays(parse.GetValue(Days)), DateTimeOffset.UtcNow)));
        var issue = new Command("issue", "Issue a certificate for an agent (named after its host) or a reader") { Directory, Name, Role, Sans, Days };
        issue.SetAction(parse => Run(() => ClusterCertificates.Issue(
            parse.GetValue(Directory)!, parse.GetValue(Name)!, parse.GetValue(Role)!, parse.GetValue(Sans) ?? [], TimeSpan.FromDays(parse.GetValue(Days)), DateTimeOffset.UtcNow)));
        var renew = new Command("renew", "Issue a name's certificate again with a new key, the same names and lifetime; the collector reloads its own on SIGHUP") { Directory, RenewedName };
        renew.SetAction(parse => Run(() => ClusterCertificates.Renew(parse.GetValue(Directory)!, parse.GetValue(RenewedName)!, DateTimeOffset.UtcNow)));
        var revoke = new Command("revoke", "Revoke a name's certificate: the collector refuses it from then on, without a restart") { Directory, RevokedName };
        revoke.SetAction(parse => Run(() =>
        {
            var revocation = ClusterCertificates.Revoke(parse.GetValue(Directory)!, parse.GetValue(RevokedName)!, DateTimeOffset.UtcNow);
            Console.WriteLine($"revoked {revocation.Role} {revocation.Name} (serial {revocation.Serial})");
            return [ClusterCertificates.RevocationPath(parse.GetValue(Directory)!)];
        }));
        var list = new Command("list", "List the certificates issued, when (the last renewal, for a renewed one), and whether valid, expiring within 30 days, expired or revoked") { Directory };
        list.SetAction(parse => Run(() =>
        {
            var now = DateTimeOffset.UtcNow;
            Console.WriteLine($"{"NAME",-24} {"ROLE",-9} {"SERIAL",-32} {"ISSUED",-16} {"EXPIRES",-16} STATUS");
            foreach (var certificate in ClusterCertificates.List(parse.GetValue(Directory)!))
            {
                var status = certificate switch
                {
                    { RevokedAt: { } at } => $"revoked {at:yyyy-MM-dd}{(certificate.NotAfter is null ? " (replaced)" : "")}",
                    { NotAfter: { } end } when end <= now => "expired",
                    { NotAfter: { } end } when end - now <= ExpiringWithin => $"expiring in {(end - now).Days} days",
                    _ => "valid",
                };
                Console.WriteLine($"{certificate.Name,-24} {certificate.Role,-9} {certificate.Serial,-32} {Time(certificate.IssuedAt),-16} {Time(certificate.NotAfter),-16} "
                    + status + (certificate.Renewed ? ", renewed" : ""));
            }
            return [];
        }));
        var certs = new Command("certs", $"Create and revoke the cluster's certificates ({ClusterTrust.AgentRole} and {ClusterTrust.ReaderRole} roles) and bearer tokens")
        {
            init, issue, renew, revoke, list, TokenCommand.Create(),
        };
        foreach (var approval in Enrolling.EnrolCommand.ApprovalCommands())
        {
            certs.Subcommands.Add(approval);
        }
        return certs;
    }

    private static string Time(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) ?? "-";

    /// <summary>Runs a subcommand: prints the files it wrote, or its refusal as a sentence with exit code 2.</summary>
    internal static int Run(Func<IReadOnlyList<string>> create)
    {
        try
        {
            foreach (var path in create())
            {
                Console.WriteLine($"wrote {path}");
            }
            return Done;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException or UnauthorizedAccessException or FormatException)
        {
            Console.Error.WriteLine($"daemonnet-collector: {e.Message}");
            return Refused;
        }
    }
}
