using System.CommandLine;
using DaemonNet.Cli.Output;
using DaemonNet.Protos.V1;
using Google.Protobuf.WellKnownTypes;

namespace DaemonNet.Cli.Commands;

/// <summary>
/// <c>daemonnet where QUERY [--at TIME]</c>: the host, state, NICs and addresses of every VM that
/// matches, now or as things stood at an instant.
/// </summary>
internal sealed class WhereCommand
{
    private static readonly Argument<string> Query = new("query")
    {
        Description = "A VM name, a domain uuid, a MAC address or an IP address",
    };

    private static readonly Option<DateTimeOffset?> At = TimeOptions.Create("--at", "Answer as things stood at this time instead of now");

    public static Command Create()
    {
        var command = new Command("where", "Show where a VM runs and its addresses, each with its evidence");
        command.Arguments.Add(Query);
        command.Options.Add(At);
        command.SetAction(RunAsync);
        return command;
    }

    private static Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var query = parse.GetValue(Query) ?? "";
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
                table.Add(historical ? [mac, attachment, "-", "no address seen", "", "", ""] : [mac, attachment, "-", "no address seen", "", ""]);
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
