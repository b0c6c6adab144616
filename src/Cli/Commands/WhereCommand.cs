using System.CommandLine;
using DaemonNet.Cli.Output;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;
using Google.Protobuf.WellKnownTypes;

namespace DaemonNet.Cli.Commands;

/// <summary>
/// <c>daemonnet where QUERY [--at TIME]</c>: the host, state, NICs and addresses of every VM that
/// matches, now or as things stood at an instant. With <c>--wait</c> it waits, on the collector's
/// Watch stream, until the VM exists and has an address (of <c>--family</c>, if given): the
/// moment after virt-install.
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
    /// Watches the query and asks again at each change, until the answer has what is waited for;
    /// then prints it as a plain where would. On timeout, says what was last seen and exits 1.
    /// </summary>
    private static async Task<int> WaitAsync(ParseResult parse, string query, TimeSpan timeout, string? family, CancellationToken cancellationToken)
    {
        using var connection = GlobalOptions.Connect(parse);
        if (connection is null)
        {
            return ExitCodes.UsageError;
        }
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var request = new WhereRequest { Query = query };
        WhereReply? seen = null;
        var utc = parse.GetValue(GlobalOptions.Utc);
        return await connection.RunAsync(async inventory =>
        {
            await WatchStream.FollowAsync(inventory, query, async e =>
            {
                seen = e.Kind == WatchEventKind.Current ? e.Current
                    : await inventory.WhereAsync(request, deadline: CollectorConnection.Deadline, cancellationToken: deadline.Token);
                return !HasWhatIsWaitedFor(seen, family);
            }, deadline.Token);
            return seen;
        }, reply =>
        {
            if (reply is not null && HasWhatIsWaitedFor(reply, family))
            {
                if (parse.GetValue(GlobalOptions.Json))
                {
                    Console.Out.WriteLine(ContractText.Json(reply));
                }
                else
                {
                    WriteHuman(Console.Out, reply, request, utc);
                }
                return ExitCodes.Found;
            }
            Console.Error.WriteLine(WhatWasSeen(reply, query, family, timeout));
            return ExitCodes.NothingMatched;
        });
    }

    private static IEnumerable<AddressEvidence> CurrentAddresses(VmLocation vm) => vm.Nics.SelectMany(n => n.Addresses).Where(a => !a.OutlivesVm);

    private static bool IsOfFamily(AddressEvidence address, string? family) =>
        family is null || (family == "inet6") == address.Ip.Contains(':');

    private static bool HasWhatIsWaitedFor(WhereReply reply, string? family) =>
        reply.Vms.Any(vm => CurrentAddresses(vm).Any(a => IsOfFamily(a, family)));

    private static string WhatWasSeen(WhereReply? reply, string query, string? family, TimeSpan timeout)
    {
        var waited = $"daemonnet: waited {DurationText.Format(timeout)}";
        var wanted = family switch { "inet" => "an IPv4 address", "inet6" => "an IPv6 address", _ => "an address" };
        if (reply is null || reply.Vms.Count == 0)
        {
            return $"{waited}: no VM matching '{query}' was defined on any host.";
        }
        var vms = string.Join("; ", reply.Vms.Select(vm =>
        {
            var addresses = CurrentAddresses(vm).Select(a => a.Ip).ToList();
            return $"{vm.Name} on {vm.Host.Name} is {ContractText.State(vm.State)} with "
                + (addresses.Count == 0 ? "no address seen" : string.Join(", ", addresses));
        }));
        return $"{waited} for {wanted} of '{query}': {vms}.";
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
        writer.WriteLine($"{vm.Name} on {vm.Host.Name}: {ContractText.State(vm.State)} since {RelativeTime.Absolute(vm.Since.ToDateTimeOffset(), utc)}  (uuid {vm.Uuid})");
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
                    table.Add(mac, attachment, address.Ip, ContractText.Source(address), address.ObservedOn,
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
                    table.Add(mac, attachment, address.Ip, ContractText.Source(address), address.ObservedOn, confirmed);
                }
                (mac, attachment) = ("", "");
            }
        }
        table.WriteTo(writer, "  ");
    }
}
