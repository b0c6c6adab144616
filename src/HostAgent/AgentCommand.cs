using System.CommandLine;

namespace DaemonNet.HostAgent;

/// <summary>The agent's flags. Each one overrides the configuration key it names.</summary>
internal static class AgentCommand
{
    private static readonly (Option<string> Option, string Key)[] Flags =
    [
        (new("--host-name") { Description = "Name this host reports (default: the machine's host name)", HelpName = "NAME" }, "Agent:HostName"),
        (new("--libvirt-uri") { Description = "libvirt connection URI, opened read-only (default qemu:///system)", HelpName = "URI" }, "Agent:LibvirtUri"),
        (new("--interval") { Description = "How often to check the host, e.g. 500ms, 10s, 5m (default 10s)", HelpName = "DURATION" }, "Agent:Interval"),
        (new("--leases-dir") { Description = "Directory of libvirt's dnsmasq *.status files (default /var/lib/libvirt/dnsmasq)", HelpName = "DIR" }, "Agent:LeasesDir"),
        (new("--interfaces-file") { Description = "ifupdown's configuration, with the files it sources (default /etc/network/interfaces); none on a host without ifupdown", HelpName = "PATH" }, "Agent:InterfacesFile"),
        (new("--capture") { Description = "Read ARP and IPv6 neighbour discovery on the bridges for the VMs' addresses: auto (every bridge), none, or BRIDGE,BRIDGE (needs CAP_NET_RAW; default auto)", HelpName = "auto|none|BRIDGES" }, "Agent:Capture"),
        (new("--guest-agent") { Description = "true: ask running guests' qemu guest agents for their addresses, over a read-write libvirt connection used for that call only; false: stay read-only (default true)", HelpName = "true|false" }, "Agent:GuestAgent"),
        (new("--ca-file") { Description = "The cluster CA", HelpName = "PATH" }, "Agent:CaFile"),
        (new("--cert-file") { Description = "This agent's certificate, issued for this host's name", HelpName = "PATH" }, "Agent:CertFile"),
        (new("--key-file") { Description = "This agent's key", HelpName = "PATH" }, "Agent:KeyFile"),
        (new("--state-dir") { Description = "Where the agent keeps the key and certificate it enrolled with, used when no --cert-file is given (default /var/lib/daemonnet-agent)", HelpName = "DIR" }, "Agent:StateDir"),
    ];

    private static readonly Option<string[]> Collector = new("--collector")
    {
        Description = "Collector URL (default https://127.0.0.1:7460); repeat it for collectors that share one PostgreSQL database, and the agent fails over among them",
        HelpName = "URL",
    };

    private static readonly Option<bool> Insecure = new("--insecure")
    {
        Description = "Talk plain HTTP/2 to a collector running --insecure",
    };

    public static RootCommand Create(Func<Dictionary<string, string?>, CancellationToken, Task<int>> run)
    {
        var command = new RootCommand("daemonnet-agent: streams this host's VMs, links, neighbours and leases to the DaemonNet collector.");
        foreach (var (option, _) in Flags)
        {
            command.Options.Add(option);
        }
        command.Options.Add(Collector);
        command.Options.Add(Insecure);
        command.Subcommands.Add(Enrolling.EnrolCommand.Create());
        command.SetAction((result, cancellationToken) =>
        {
            var overrides = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var (option, key) in Flags)
            {
                if (result.GetValue(option) is { } value)
                {
                    overrides[key] = value;
                }
            }
            if (result.GetValue(Collector) is { Length: > 0 } collectors)
            {
                overrides["Agent:Collector"] = string.Join(',', collectors);
            }
            if (result.GetValue(Insecure))
            {
                overrides["Agent:Insecure"] = "true";
            }
            return run(overrides, cancellationToken);
        });
        return command;
    }
}
