using System.CommandLine;
using System.Globalization;
using DaemonNet.Collector.Certificates;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.Security;

namespace DaemonNet.Collector.Tokens;

/// <summary>
/// <c>daemonnet-collector certs token issue|list|revoke</c>: bearer tokens for people and scripts
/// that have no certificate to show, each printed once and kept only as its hash.
/// </summary>
internal static class TokenCommand
{
    private static readonly Option<string> Directory = new("--dir") { Description = "Folder of the cluster's CA (tokens.txt is kept beside it)", HelpName = "DIR", Required = true };
    private static readonly Option<string> Name = new("--name") { Description = "The person or script the token is for", HelpName = "NAME", Required = true };
    private static readonly Option<string> Role = new("--role") { Description = "reader (the only role a token can have)", HelpName = "ROLE", DefaultValueFactory = _ => ClusterTrust.ReaderRole };
    private static readonly Option<string> Ttl = new("--ttl") { Description = "How long it is valid, e.g. 90d, 12h (default 90d)", HelpName = "DURATION", DefaultValueFactory = _ => "90d" };
    private static readonly Option<string> Revoked = new("--name") { Description = "Revoke every valid token of this name, or the one with this id", HelpName = "NAME_OR_ID", Required = true };

    public static Command Create()
    {
        var issue = new Command("issue", "Issue a token and print it, once; only its hash is kept") { Directory, Name, Role, Ttl };
        issue.SetAction(parse => Run(() =>
        {
            if (!DurationText.TryParse(parse.GetValue(Ttl), out var lifetime))
            {
                throw new ArgumentException($"--ttl '{parse.GetValue(Ttl)}' is not a duration: {DurationText.AcceptedForms}");
            }
            var (token, issued) = TokenList.Issue(parse.GetValue(Directory)!, parse.GetValue(Name)!, parse.GetValue(Role)!, lifetime, DateTimeOffset.UtcNow);
            Console.Error.WriteLine($"issued token {issued.Id} for {issued.Role} {issued.Name}, valid until {Time(issued.ExpiresAt)}; it is shown only now:");
            Console.WriteLine(token);
        }));
        var list = new Command("list", "List the tokens: id, name, role, expiry and state (never the tokens themselves)") { Directory };
        list.SetAction(parse => Run(() =>
        {
            var now = DateTimeOffset.UtcNow;
            Console.WriteLine($"{"ID",-9} {"NAME",-24} {"ROLE",-7} {"ISSUED",-17} {"EXPIRES",-17} STATUS");
            foreach (var token in TokenList.Read(TokenList.PathIn(parse.GetValue(Directory)!)))
            {
                var status = token switch
                {
                    { RevokedAt: { } at } => $"revoked {Time(at)}",
                    _ when token.ExpiresAt <= now => "expired",
                    _ => "valid",
                };
                Console.WriteLine($"{token.Id,-9} {token.Name,-24} {token.Role,-7} {Time(token.IssuedAt),-17} {Time(token.ExpiresAt),-17} {status}");
            }
        }));
        var revoke = new Command("revoke", "Revoke tokens: the collector refuses them from the next request on, without a restart") { Directory, Revoked };
        revoke.SetAction(parse => Run(() =>
        {
            foreach (var token in TokenList.Revoke(parse.GetValue(Directory)!, parse.GetValue(Revoked)!, DateTimeOffset.UtcNow))
            {
                Console.WriteLine($"revoked token {token.Id} of {token.Role} {token.Name}");
            }
        }));
        return new Command("token", "Bearer tokens for people and scripts (HTTP API, gRPC, the CLI's --token-file, the web page's sign-in)") { issue, list, revoke };
    }

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static int Run(Action work) => CertsCommand.Run(() =>
    {
        work();
        return [];
    });
}
