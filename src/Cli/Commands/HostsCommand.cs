using System.CommandLine;
using DaemonNet.Cli.Output;
using DaemonNet.Protos.V1;

namespace DaemonNet.Cli.Commands;

/// <summary><c>daemonnet hosts</c>: every host that ever reported, how recently, and whether it is stale.</summary>
internal sealed class HostsCommand
{
    public static Command Create()
    {
        var command = new Command("hosts", "List the hosts, their agents and their last report");
        CsvOutput.OfferOn(command);
        command.SetAction(RunAsync);
        return command;
    }

    private static Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken) =>
        Question.AskAsync(parse, (inventory, options) => inventory.ListHostsAsync(new ListHostsRequest(), options),
            reply => reply.Hosts.Count == 0 ? "daemonnet: no host has reported to this collector yet." : null,
            WriteHuman, cancellationToken);

    /// <summary>How far the agent's clock was from the collector's at its last report: "+2 s" is ahead.</summary>
    public static string ClockSkew(HostSummary host)
    {
        if (host.AgentTime is null)
        {
            return "-";
        }
        var skew = host.AgentTime.ToDateTimeOffset() - host.Status.LastReport.ToDateTimeOffset();
        return skew.Duration() < TimeSpan.FromSeconds(1) ? "ok" : $"{(skew < TimeSpan.Zero ? "-" : "+")}{RelativeTime.Span(skew.Duration())}";
    }

    public static void WriteHuman(TextWriter writer, ListHostsReply reply)
    {
        var now = reply.CollectorTime.ToDateTimeOffset();
        var table = new Table("HOST", "AGENT", "LAST REPORT", "CLOCK", "VMS", "STATUS");
        foreach (var host in reply.Hosts)
        {
            var status = host.Status.Stale ? "stale" : host.Errors.Count > 0 ? "source errors" : "ok";
            if (host.RejectedMessages > 0)
            {
                status += $", {host.RejectedMessages} refused";
            }
            table.Add(host.Status.Name, host.AgentVersion, RelativeTime.Ago(host.Status.LastReport.ToDateTimeOffset(), now),
                ClockSkew(host), host.VmCount.ToString(System.Globalization.CultureInfo.InvariantCulture), status);
        }
        table.WriteTo(writer);
        foreach (var host in reply.Hosts)
        {
            foreach (var error in host.Errors)
            {
                writer.WriteLine($"{host.Status.Name}: {error.Source}: {error.Message}");
            }
        }
    }
}
