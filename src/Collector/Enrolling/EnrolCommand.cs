using System.CommandLine;
using System.Globalization;
using DaemonNet.Collector.Certificates;
using DaemonNet.Protos.Formats;

namespace DaemonNet.Collector.Enrolling;

/// <summary>
/// <c>daemonnet-collector enrol create|list|revoke</c>, the tokens with which new hosts enrol, and
/// <c>certs pending|approve|deny</c>, for the requests of tokens made with --approve.
/// </summary>
internal static class EnrolCommand
{
    public const string DefaultDirectory = "/etc/daemonnet/tls";

    private static readonly Option<string> Directory = new("--dir") { Description = $"Folder of the cluster's CA (default {DefaultDirectory})", HelpName = "DIR", DefaultValueFactory = _ => DefaultDirectory };
    private static readonly Option<string> Hosts = new("--hosts") { Description = "The host names it admits, with * and ? as wildcards, e.g. 'daemon*'", HelpName = "PATTERN", Required = true };
    private static readonly Option<int> Uses = new("--uses") { Description = "How many hosts may enrol with it (default 1)", DefaultValueFactory = _ => 1 };
    private static readonly Option<string> Ttl = new("--ttl") { Description = "How long it may be used, e.g. 24h (default 24h, at most 30d)", HelpName = "DURATION", DefaultValueFactory = _ => "24h" };
    private static readonly Option<bool> Approve = new("--approve") { Description = "Each request waits until 'certs approve NAME'" };
    private static readonly Option<bool> AllowReenrol = new("--allow-reenrol")
    {
        Description = "A host that still has a valid certificate may enrol again (a reinstalled host); its old certificate is revoked as replaced",
    };
    private static readonly Option<string> CertTtl = new("--cert-ttl") { Description = "How long the certificates it brings are valid (default 730d); agents renew at two thirds", HelpName = "DURATION", DefaultValueFactory = _ => "730d" };
    private static readonly Option<string> Id = new("--id") { Description = "The token's id, as 'enrol list' shows it", HelpName = "ID", Required = true };
    private static readonly Argument<string> Name = new("NAME") { Description = "The host whose request it is" };

    public static Command Create()
    {
        var create = new Command("create", "Create an enrolment token and print it, once, with the CA's fingerprint that hosts pin") { Directory, Hosts, Uses, Ttl, Approve, AllowReenrol, CertTtl };
        create.SetAction(parse => Run(() =>
        {
            var lifetime = Duration(parse.GetValue(Ttl)!, "--ttl");
            var certificateLifetime = Duration(parse.GetValue(CertTtl)!, "--cert-ttl");
            var directory = parse.GetValue(Directory)!;
            var (token, created) = EnrolmentTokens.Create(directory, parse.GetValue(Hosts)!, parse.GetValue(Uses), lifetime, parse.GetValue(Approve),
                certificateLifetime, DateTimeOffset.UtcNow, parse.GetValue(AllowReenrol));
            Console.Error.WriteLine($"enrolment token {created.Id} for hosts '{created.Hosts}', {created.UsesLeft} use(s), until {Time(created.ExpiresAt)}"
                + (created.Approve ? ", each request approved by an admin" : "") + (created.AllowsReenrol ? ", hosts with a valid certificate may enrol again" : "")
                + "; it is shown only now. On each host:");
            Console.Error.WriteLine($"  daemonnet-agent enrol --collector https://COLLECTOR:7460 --token-file FILE --ca-pin {ClusterCertificates.AuthorityFingerprint(directory)}");
            Console.WriteLine(token);
            Console.WriteLine(ClusterCertificates.AuthorityFingerprint(directory));
        }));
        var list = new Command("list", "List the enrolment tokens: id, hosts, uses left, expiry, state") { Directory };
        list.SetAction(parse => Run(() =>
        {
            var now = DateTimeOffset.UtcNow;
            Console.WriteLine($"{"ID",-9} {"HOSTS",-20} {"USES",4} {"EXPIRES",-17} {"APPROVE",-7} {"REENROL",-7} STATUS");
            foreach (var token in EnrolmentTokens.Read(EnrolmentTokens.PathIn(parse.GetValue(Directory)!)))
            {
                var status = token switch
                {
                    { RevokedAt: { } at } => $"revoked {Time(at)}",
                    _ when token.ExpiresAt <= now => "expired",
                    { UsesLeft: 0 } => "used up",
                    _ => "valid",
                };
                Console.WriteLine($"{token.Id,-9} {token.Hosts,-20} {token.UsesLeft,4} {Time(token.ExpiresAt),-17} {(token.Approve ? "yes" : "no"),-7} {(token.AllowsReenrol ? "yes" : "no"),-7} {status}");
            }
        }));
        var revoke = new Command("revoke", "Revoke an enrolment token: no host enrols with it any more") { Directory, Id };
        revoke.SetAction(parse => Run(() => Console.WriteLine($"revoked enrolment token {EnrolmentTokens.Revoke(parse.GetValue(Directory)!, parse.GetValue(Id)!, DateTimeOffset.UtcNow).Id}")));
        return new Command("enrol", "Tokens with which new daemon hosts get their agent certificate themselves") { create, list, revoke };
    }

    /// <summary>certs pending, approve and deny.</summary>
    public static IEnumerable<Command> ApprovalCommands()
    {
        var pending = new Command("pending", "List the enrolment requests waiting for an admin") { Directory };
        pending.SetAction(parse => Run(() =>
        {
            Console.WriteLine($"{"NAME",-24} {"TOKEN",-9} {"REQUESTED",-17} STATUS");
            foreach (var request in PendingRequests.List(parse.GetValue(Directory)!))
            {
                Console.WriteLine($"{request.Name,-24} {request.TokenId,-9} {Time(request.RequestedAt),-17} {(request.Denied ? "denied" : "waiting")}");
            }
        }));
        var approve = new Command("approve", "Issue the certificate a host asked for; it picks it up when it asks again") { Directory, Name };
        approve.SetAction(parse => Run(() =>
        {
            using var certificate = PendingRequests.Approve(parse.GetValue(Directory)!, parse.GetValue(Name)!, DateTimeOffset.UtcNow);
            Console.WriteLine($"approved {parse.GetValue(Name)}: serial {certificate.SerialNumber}, valid until {certificate.NotAfter:yyyy-MM-dd HH:mm}");
        }));
        var deny = new Command("deny", "Refuse a host's request; it is told so when it asks again") { Directory, Name };
        deny.SetAction(parse => Run(() =>
        {
            PendingRequests.Deny(parse.GetValue(Directory)!, parse.GetValue(Name)!);
            Console.WriteLine($"denied {parse.GetValue(Name)}");
        }));
        return [pending, approve, deny];
    }

    private static TimeSpan Duration(string text, string option) =>
        DurationText.TryParse(text, out var duration) ? duration : throw new ArgumentException($"{option} '{text}' is not a duration: {DurationText.AcceptedForms}");

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static int Run(Action work) => CertsCommand.Run(() =>
    {
        work();
        return [];
    });
}
