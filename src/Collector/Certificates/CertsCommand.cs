using System.CommandLine;
using DaemonNet.Protos.V1;

namespace DaemonNet.Collector.Certificates;

/// <summary>
/// <c>daemonnet-collector certs init|issue</c>: the cluster CA, the collector's certificate, and
/// certificates for agents (named after their host) and readers.
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

    public static Command Create()
    {
        var init = new Command("init", "Create the cluster CA and the collector's certificate") { Directory, Sans, Days };
        init.SetAction(parse => Run(() => ClusterCertificates.Init(
            parse.GetValue(Directory)!, parse.GetValue(Sans) ?? [], TimeSpan.FromDays(parse.GetValue(Days)), DateTimeOffset.UtcNow)));
        var issue = new Command("issue", "Issue a certificate for an agent (named after its host) or a reader") { Directory, Name, Role, Sans, Days };
        issue.SetAction(parse => Run(() => ClusterCertificates.Issue(
            parse.GetValue(Directory)!, parse.GetValue(Name)!, parse.GetValue(Role)!, parse.GetValue(Sans) ?? [], TimeSpan.FromDays(parse.GetValue(Days)), DateTimeOffset.UtcNow)));
        return new Command("certs", $"Create the cluster's certificates ({ClusterTrust.AgentRole} and {ClusterTrust.ReaderRole} roles)") { init, issue };
    }

    private static int Run(Func<IReadOnlyList<string>> create)
    {
        try
        {
            foreach (var path in create())
            {
                Console.WriteLine($"wrote {path}");
            }
            return Done;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"daemonnet-collector: {e.Message}");
            return Refused;
        }
    }
}
