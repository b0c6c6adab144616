using System.CommandLine;
using DaemonNet.Cli.Output;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace DaemonNet.Cli.Commands;

/// <summary>
/// <c>daemonnet where QUERY [--at TIME]</c>: the host, state, NICs and addresses of every VM that
/// matches, now or as things stood at an instant. With <c>--wait</c> the collector waits until
/// the VM exists and has an address (of <c>--family</c>, if given): the moment after virt-install.
/// </summary>
internal sealed class WhereCommand
{
    private static readonly Argument<string> Query = new("query")
    {
        Description = "A VM name, a domain uuid, a MAC address or an IP address",
    };

    private static readonly Option<DateTimeOffset?> At = TimeOptions.Create("--at", "Answer as things stood at this time instead of now");

    private static readonly Option<bool> Wait = new("--wait")
    {
        Description = "Wait until the VM exists and has an address (of --family, if given), then answer; for a VM just installed",
    };

    private static readonly Option<TimeSpan> Timeout = new("--timeout")
    {
        Description = "How long --wait waits before it gives up (exit 1), e.g. 90s, 10m",
        HelpName = "DURATION",
        DefaultValueFactory = _ => TimeSpan.FromMinutes(5),
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (DurationText.TryParse(text, out var duration) && duration > TimeSpan.Zero)
            {
                return duration;
            }
            result.AddError($"--timeout '{text}' is not a duration: use {DurationText.AcceptedForms}.");
            return default;
        },
    };

    private static readonly Option<string?> Family = new("--family")
    {
        Description = "With --wait: the address family to wait for",
        HelpName = "inet|inet6",
    };

    public static Command Create()
    {
        var command = new Command("where", "Show where a VM runs and its addresses, each with its evidence");
        command.Arguments.Add(Query);
        command.Options.Add(At);
        command.Options.Add(Wait);
        command.Options.Add(Timeout);
        command.Options.Add(Family);
        Family.AcceptOnlyFromAmong("inet", "inet6");
        command.Validators.Add(result =>
        {
            if (result.GetValue(Wait) && result.GetValue(At) is not null)
            {
                result.AddError("--wait waits for what holds from now on; it cannot be combined with --at.");
            }
            if (!result.GetValue(Wait) && (result.GetResult(Family) is not null || result.GetResult(Timeout) is not null))
            {
                result.AddError("--family and --timeout belong to --wait.");
            }
        });
        command.SetAction(RunAsync);
        return command;
    }

    private static Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var query = parse.GetValue(Query) ?? "";
        if (parse.GetValue(Wait))
        {
            return WaitAsync(parse, query, parse.GetValue(Timeout), parse.GetValue(Family), cancellationToken);
        }
        var request = new WhereRequest { Query = query };
        if (parse.GetValue(At) is { } at)
        {
            request.At = Timestamp.FromDateTimeOffset(at);
        }
        var utc = parse.GetValue(GlobalOptions.Utc);
        return Question.AskAsync(parse, (inventory, options) => inventory.WhereAsync(request, options),
            reply => reply.Vms.Count > 0 ? null : NothingMatched(reply, request, utc),
            (writer, reply) => WriteHuman(writer, reply, request, utc), cancellationToken);
    }

    /// <summary>
    /// Asks the collector to wait (it answers again at each change it sees for the query) and
    /// prints the answer as a plain where would. On timeout, says what was last seen and exits 1.
    /// </summary>
    private static async Task<int> WaitAsync(ParseResult parse, string query, TimeSpan timeout, string? family, CancellationToken cancellationToken)
    {
        using var connection = GlobalOptions.Connect(parse);
        if (connection is null)
        {
            return ExitCodes.UsageError;
        }
        var request = new WhereRequest { Query = query, Wait = DurationText.Format(timeout), Family = family ?? "" };
        // The collector ends the wait itself; this deadline only catches a collector that never answers.
        var deadline = CollectorConnection.Deadline + timeout;
        var utc = parse.GetValue(GlobalOptions.Utc);
        return await connection.RunAsync(async inventory =>
        {
            try
            {
                return (Reply: await inventory.WhereAsync(request, deadline: deadline, cancellationToken: cancellationToken), TimedOut: "");
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.DeadlineExceeded && DateTime.UtcNow < deadline)
            {
                return (Reply: new WhereReply(), TimedOut: e.Status.Detail);
            }
        }, answer =>
        {
            if (answer.TimedOut.Length > 0)
            {
                Console.Error.WriteLine($"daemonnet: {answer.TimedOut}.");
                return ExitCodes.NothingMatched;
            }
            if (parse.GetValue(GlobalOptions.Json))
            {
                Console.Out.WriteLine(ContractText.Json(answer.Reply));
            }
            else
            {
                WriteHuman(Console.Out, answer.Reply, request, utc);
            }
            return ExitCodes.Found;
        });
    }

    public static string NothingMatched(WhereReply reply, WhereRequest request, bool utc)
    {
        if (request.At is null)
        {
            return reply.Note.Length > 0
                ? $"daemonnet: no VM matches '{request.Query}': {reply.Note}."
                : $"daemonnet: no VM matches '{request.Query}' (searched VM names, uuids, MACs and current addresses on every host)."
                    + (reply.SimilarNames.Count > 0 ? $" Close names: {string.Join(", ", reply.SimilarNames)}." : "");
        }
        var message = $"daemonnet: no VM matches '{request.Query}' at {RelativeTime.Absolute(request.At.ToDateTimeOffset(), utc)}.";
        if (reply.NearestBefore is { } before)
        {
            message += $"\n  nearest before: {ContractText.Describe(before)} on {before.Host}, until {RelativeTime.Absolute(before.To.ToDateTimeOffset(), utc)}";
        }
        if (reply.NearestAfter is { } after)
        {
            message += $"\n  nearest after: {ContractText.Describe(after)} on {after.Host}, from {RelativeTime.Absolute(after.From.ToDateTimeOffset(), utc)}";
        }
        if (reply.NearestBefore is null && reply.NearestAfter is null)
        {
            message += " The collector has no record of it at any time.";
        }
        return message;
    }

    public static void WriteHuman(TextWriter writer, WhereReply reply, WhereRequest request, bool utc)
    {
        var now = reply.CollectorTime.ToDateTimeOffset();
        var at = request.At?.ToDateTimeOffset();
        var header = at is null ? "" : $" at {RelativeTime.Absolute(at.Value, utc)}";
        if (reply.Vms.Count > 1)
        {
            writer.WriteLine($"{reply.Vms.Count} VMs match '{request.Query}'{header}:");
            writer.WriteLine();
        }
        else if (at is not null)
        {
            writer.WriteLine($"As of {RelativeTime.Absolute(at.Value, utc)}:");
        }
        for (var i = 0; i < reply.Vms.Count; i++)
        {
            if (i > 0)
            {
                writer.WriteLine();
            }
            WriteVm(writer, reply.Vms[i], now, at is not null, utc);
        }
    }

    private static void WriteVm(TextWriter writer, VmLocation vm, DateTimeOffset now, bool historical, bool utc)
    {
        writer.WriteLine($"{vm.Name} on {vm.Host.Name}: {DomainStates.Describe(vm.State)} since {RelativeTime.Absolute(vm.Since.ToDateTimeOffset(), utc)}  (uuid {vm.Uuid})");
        if (ContractText.Labels(vm) is { Length: > 0 } labels)
        {
            writer.WriteLine($"  {labels}");
        }
        if (vm.Host.Stale && !historical)
        {
            var lastReport = vm.Host.LastReport.ToDateTimeOffset();
            writer.WriteLine($"  ! {vm.Host.Name} has not reported for {RelativeTime.Span(now - lastReport)} (last report {RelativeTime.Absolute(lastReport, utc)}): this is what it said then, not what holds now.");
        }
        var table = historical
            ? new Table("NIC", "NETWORK", "ADDRESS", "SOURCE", "SEEN ON", "FIRST SEEN", "LAST CONFIRMED")
            : new Table("NIC", "NETWORK", "ADDRESS", "SOURCE", "SEEN ON", "CONFIRMED");
        foreach (var nic in vm.Nics)
        {
            var mac = nic.Nic.Mac;
            var attachment = ContractText.Attachment(nic.Nic);
            if (nic.Addresses.Count == 0)
            {
                var none = ContractText.NoAddress(nic.Nic);
                table.Add(historical ? [mac, attachment, "-", none, "", "", ""] : [mac, attachment, "-", none, "", ""]);
            }
            foreach (var address in nic.Addresses)
            {
                if (historical)
                {
                    table.Add(mac, attachment, ContractText.Address(address), ContractText.Source(address), address.ObservedOn,
                        RelativeTime.Absolute(address.FirstSeen.ToDateTimeOffset(), utc), RelativeTime.Absolute(address.LastConfirmed.ToDateTimeOffset(), utc));
                }
                else
                {
                    var confirmed = RelativeTime.Ago(address.LastConfirmed.ToDateTimeOffset(), now);
                    if (address.Source == AddressSource.Lease)
                    {
                        confirmed += address.LeaseExpiry is null ? ", lease never ends"
                            : $", lease ends {RelativeTime.Until(address.LeaseExpiry.ToDateTimeOffset(), now)}";
                    }
                    if (address.OutlivesVm)
                    {
                        confirmed += address.Source == AddressSource.Lease ? "; the lease outlives the stopped VM" : "; the entry outlives the stopped VM";
                    }
                    table.Add(mac, attachment, ContractText.Address(address), ContractText.Source(address), address.ObservedOn, confirmed);
                }
                (mac, attachment) = ("", "");
            }
        }
        table.WriteTo(writer, "  ");
    }
}
