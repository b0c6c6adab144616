using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using DaemonNet.Cli.Output;
using DaemonNet.Protos.V1;

namespace DaemonNet.Cli.Commands;

/// <summary>
/// <c>daemonnet audit [--min-severity S] [--netreg FILE]</c>: what in the cluster is inconsistent,
/// most severe first. Exits 1 when a finding reaches the threshold, for cron and monitoring.
/// </summary>
internal sealed class AuditCommand
{
    private static readonly Option<string> MinSeverity = new("--min-severity")
    {
        Description = "Show findings of this severity and above; one of them makes the exit code 1 (default warning)",
        HelpName = "info|warning|critical",
        DefaultValueFactory = _ => "warning",
    };

    private static readonly Option<FileInfo> NetReg = new("--netreg")
    {
        Description = "NetReg registrations as CSV with a mac column (and optionally hostname): forward-bridge MACs not in it are findings",
        HelpName = "FILE",
    };

    public static Command Create()
    {
        MinSeverity.AcceptOnlyFromAmong("info", "warning", "critical");
        var command = new Command("audit",
            "Check the cluster for conflicts: duplicate MACs and IPs, VMs on two hosts, IPv6 prefixes, tunnels, silent hosts, NetReg (audit --help lists the rules)");
        command.Options.Add(MinSeverity);
        command.Options.Add(NetReg);
        CsvOutput.OfferOn(command);
        command.SetAction(RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var request = new AuditRequest();
        if (parse.GetValue(NetReg) is { } file)
        {
            try
            {
                request.Netreg.Add(NetRegFile.Read(file.FullName));
                request.NetregGiven = true;
            }
            catch (FormatException e)
            {
                Console.Error.WriteLine($"daemonnet: {e.Message}");
                return ExitCodes.UsageError;
            }
        }
        var threshold = parse.GetValue(MinSeverity) switch
        {
            "info" => Severity.Info,
            "critical" => Severity.Critical,
            _ => Severity.Warning,
        };
        var utc = parse.GetValue(GlobalOptions.Utc);
        return await Question.AskAsync(parse, (inventory, options) => inventory.AuditAsync(request, options),
            (reply, json) => Print(reply, threshold, json, CsvOutput.Wanted(parse), utc), cancellationToken);
    }

    private static int Print(AuditReply reply, Severity threshold, bool json, bool csv, bool utc)
    {
        var shown = new AuditReply { CollectorTime = reply.CollectorTime };
        shown.Findings.Add(reply.Findings.Where(f => f.Severity >= threshold));
        if (json)
        {
            Console.Out.WriteLine(ContractText.Json(shown));
        }
        else if (csv)
        {
            CsvOutput.Write(shown);
        }
        else
        {
            WriteHuman(Console.Out, shown, reply.Findings.Count - shown.Findings.Count, threshold, utc);
        }
        return shown.Findings.Count > 0 ? ExitCodes.FindingsAtThreshold : ExitCodes.Found;
    }

    public static void WriteHuman(TextWriter writer, AuditReply reply, int below, Severity threshold, bool utc)
    {
        foreach (var finding in reply.Findings)
        {
            writer.WriteLine($"{ContractText.SeverityName(finding.Severity).ToUpperInvariant(),-8}  {finding.Rule}  {finding.Summary}");
            ContractText.WriteEvidenceAndAction(writer, finding.Evidence, finding.Action, "          ", utc);
        }
        var counts = string.Join(", ", reply.Findings.GroupBy(f => f.Severity).OrderByDescending(g => g.Key).Select(g => Count(g.Count(), g.Key)));
        var hidden = below > 0 ? $"; {below} below {ContractText.SeverityName(threshold)} not shown (--min-severity info shows them)" : "";
        writer.WriteLine(reply.Findings.Count == 0
            ? $"No findings at {ContractText.SeverityName(threshold)} or above{hidden}."
            : $"{reply.Findings.Count} finding{(reply.Findings.Count == 1 ? "" : "s")}: {counts}{hidden}.");
    }

    /// <summary>"1 warning", "2 warnings", "2 critical", "3 info": only warning is a noun that takes a plural.</summary>
    private static string Count(int count, Severity severity) =>
        $"{count} {ContractText.SeverityName(severity)}{(severity == Severity.Warning && count != 1 ? "s" : "")}";

    /// <summary>
    /// Makes <c>audit --help</c> list every rule with its severities and when it fires, after the
    /// usual help; the command list of <c>daemonnet --help</c> keeps a one-line description.
    /// </summary>
    public static void ListRulesInHelp(RootCommand root)
    {
        var help = root.Options.OfType<HelpOption>().Single();
        help.Action = new HelpWithRules((HelpAction)help.Action!);
    }

    private sealed class HelpWithRules(HelpAction help) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var exit = help.Invoke(parseResult);
            if (parseResult.CommandResult.Command.Name == "audit")
            {
                var output = parseResult.InvocationConfiguration.Output;
                output.WriteLine("Rules:");
                var width = AuditRules.All.Max(r => r.Name.Length);
                foreach (var rule in AuditRules.All)
                {
                    output.WriteLine($"  {rule.Name.PadRight(width)}  {rule.Severities,-18}  {rule.When}");
                }
            }
            return exit;
        }
    }
}
