using System.CommandLine;
using DaemonNet.Protos.Formats;

namespace DaemonNet.HostAgent.Enrolling;

/// <summary><c>daemonnet-agent enrol</c>: gets this host's certificate with an enrolment token, then exits; the agent then streams with it.</summary>
internal static class EnrolCommand
{
    public static Command Create()
    {
        var collector = new Option<string>("--collector") { Description = "Collector URL, e.g. https://collector.example:7460", HelpName = "URL", Required = true };
        var tokenFile = new Option<string>("--token-file") { Description = "File holding the token 'daemonnet-collector enrol create' printed", HelpName = "PATH", Required = true };
        var pin = new Option<string>("--ca-pin") { Description = "The cluster CA's fingerprint, sha256:HEX, as 'enrol create' printed it", HelpName = "sha256:HEX", Required = true };
        var hostName = new Option<string>("--host-name") { Description = "The name to enrol (default: the machine's host name)", HelpName = "NAME" };
        var stateDir = new Option<string>("--state-dir") { Description = "Where to keep the key and certificate (default /var/lib/daemonnet-agent)", HelpName = "DIR" };
        var wait = new Option<string>("--approval-wait") { Description = "How long to wait for an admin's approval, when the token asks for one (default 1h)", HelpName = "DURATION" };
        var command = new Command("enrol", "Get this host's agent certificate from the collector with an enrolment token; its key never leaves the host")
        {
            collector, tokenFile, pin, hostName, stateDir, wait,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            if (!DurationText.TryParse(parse.GetValue(wait) ?? "1h", out var approvalWait))
            {
                Console.Error.WriteLine($"daemonnet-agent: --approval-wait '{parse.GetValue(wait)}' is not a duration: {DurationText.AcceptedForms}");
                return Task.FromResult(Enroller.UsageError);
            }
            var settings = new EnrolSettings(parse.GetValue(collector)!, parse.GetValue(tokenFile)!, parse.GetValue(pin)!,
                parse.GetValue(hostName) ?? Environment.MachineName, parse.GetValue(stateDir) ?? new AgentOptions().StateDir, approvalWait);
            return Enroller.RunAsync(settings, Console.Out, Console.Error, cancellationToken);
        });
        return command;
    }
}
