using DaemonNet.Tests.Support;

namespace DaemonNet.EndToEnd.Tests;

/// <summary>
/// Daemon hosts enrolling themselves from nothing but a token and the CA's fingerprint, as
/// docs/SECURITY.md tells an admin to do it: 'daemonnet-collector enrol create', the agent's
/// 'enrol' (or its settings at first start) in each host's namespace, an admin approving where the
/// token asks for it, then each agent streaming with the key and certificate it keeps, and
/// renewing that certificate itself.
/// </summary>
public sealed class EnrolmentTests : IDisposable
{
    private readonly SimulatedCluster cluster = new();

    public void Dispose() => cluster.Dispose();

    private SimulatedHost Host(int number)
    {
        var host = cluster.AddHost(number, certificate: false);
        host.Node.Domain($"web{number}", $"5f0c8a52-000{number}-4a5e-9c1e-00000000000{number}", running: true, ("network", $"52:54:00:ab:01:0{number}", "nat-bridge")).Write();
        host.Namespace.SetNeighbour($"192.168.122.4{number}", $"52:54:00:ab:01:0{number}", "virbr0", "permanent");
        return host;
    }

    private (string TokenFile, string Pin) CreateToken(string name, params string[] options)
    {
        var created = Shell.TryRun("dotnet", [Programs.Collector, "enrol", "create", "--dir", cluster.CertificateDir, .. options]);
        Assert.Equal(0, created.ExitCode);
        var lines = created.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches("^dne_[0-9a-f]{8}_[0-9a-f]{64}$", lines[0]);
        Assert.Matches("^sha256:[0-9a-f]{64}$", lines[1]);
        var tokenFile = cluster.Folder.File($"{name}.token");
        File.WriteAllText(tokenFile, lines[0]);
        return (tokenFile, lines[1]);
    }

    private Task WhereAsync(int number) =>
        Eventually.HoldsAsync(() => cluster.Daemonnet("where", $"web{number}"), r => r.ExitCode == 0 && r.Output.Contains($"192.168.122.4{number}"),
            $"web{number} reported by its enrolled agent");

    [Fact]
    public async Task ThreeHosts_EnrolFromATokenAndThePin_OneAfterApproval_ThenStreamAndRenew()
    {
        await cluster.StartCollectorAsync();
        var hosts = new[] { Host(1), Host(2), Host(3) };
        // Two hosts with the command, their certificates living 30 s so that renewal shows; the third at first start, approved by an admin.
        var (tokenFile, pin) = CreateToken("pair", "--hosts", "daemon*", "--uses", "2", "--ttl", "1h", "--cert-ttl", "30s");
        var (approvalTokenFile, approvalPin) = CreateToken("approval", "--hosts", "daemon3", "--approve");
        string State(SimulatedHost host) => Path.Combine(cluster.Folder.Path, $"{host.Name}-state");
        (int ExitCode, string Output, string Error) Enrol(SimulatedHost host, string caPin) => Shell.TryRun("ip", ["netns", "exec", host.Namespace.Name,
            "dotnet", Programs.Agent, "enrol", "--collector", cluster.CollectorUrl, "--token-file", tokenFile, "--ca-pin", caPin, "--host-name", host.Name,
            "--state-dir", State(host)]);

        var wrongPin = Enrol(hosts[0], "sha256:" + new string('0', 64));
        var usesAfterWrongPin = Shell.TryRun("dotnet", [Programs.Collector, "enrol", "list", "--dir", cluster.CertificateDir]).Output;
        var enrolled = hosts[..2].Select(host => Enrol(host, pin)).ToList();
        var again = Enrol(hosts[0], pin);
        var usedUp = Enrol(hosts[2], pin);
        var firstCertificate = await File.ReadAllTextAsync(Path.Combine(State(hosts[0]), "cert.pem"));
        foreach (var host in hosts[..2])
        {
            host.StartAgent(stateDir: State(host));
        }
        hosts[2].StartAgent(stateDir: State(hosts[2]), environment: new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["DAEMONNET_Agent__EnrolTokenFile"] = approvalTokenFile,
            ["DAEMONNET_Agent__EnrolCaPin"] = approvalPin,
        });
        // The agent says so once its request waits; when it never does, its output says why (a busy machine once took longer than a 20 s poll of 'certs pending').
        await hosts[2].Agent!.WaitForOutputAsync("the request of daemon3 waits for an admin", TimeSpan.FromSeconds(60));
        var pending = Shell.TryRun("dotnet", [Programs.Collector, "certs", "pending", "--dir", cluster.CertificateDir]);
        var approved = Shell.TryRun("dotnet", [Programs.Collector, "certs", "approve", "--dir", cluster.CertificateDir, "daemon3"]);

        Assert.Equal(5, wrongPin.ExitCode);
        Assert.Contains("Nothing was sent", wrongPin.Error);
        Assert.Matches(@"daemon\* +2 ", usesAfterWrongPin);
        Assert.All(enrolled, e => Assert.Equal(0, e.ExitCode));
        Assert.Contains("enrolled daemon1: certificate serial", enrolled[0].Output);
        Assert.Equal(0, again.ExitCode);
        Assert.Equal(4, usedUp.ExitCode);
        Assert.Contains("is used up", usedUp.Error);
        Assert.Matches(@"daemon3 +[0-9a-f]{8} .* waiting", pending.Output);
        Assert.Equal(0, approved.ExitCode);
        foreach (var host in hosts)
        {
            await WhereAsync(host.Number);
            foreach (var file in new[] { "key.pem", "cert.pem", "ca.pem" })
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(State(host), file)));
            }
            Assert.False(File.Exists(Path.Combine(cluster.CertificateDir, $"{host.Name}-key.pem")), $"{host.Name}'s key is on the collector");
        }

        // daemon1's certificate lives 30 s: two thirds in, its agent renews it over mutual TLS and streams on with the new one.
        await Eventually.ValueAsync(() => File.ReadAllTextAsync(Path.Combine(State(hosts[0]), "cert.pem")), pem => pem != firstCertificate,
            "daemon1's certificate renewed", TimeSpan.FromSeconds(60));
        hosts[0].Node.Domain("web5", "5f0c8a52-0005-4a5e-9c1e-000000000005", running: true, ("network", "52:54:00:ab:01:05", "nat-bridge")).Write();
        hosts[0].Namespace.SetNeighbour("192.168.122.45", "52:54:00:ab:01:05", "virbr0", "permanent");
        await WhereAsync(5);
        var listed = Shell.TryRun("dotnet", [Programs.Collector, "certs", "list", "--dir", cluster.CertificateDir]).Output;
        Assert.Matches(@"daemon1 +agent .* revoked .*\(replaced\)", listed);
        Assert.Matches(@"daemon1 +agent +[0-9A-F]+ +\d{4}-\d\d-\d\d \d\d:\d\d +\S+ \S+ +expiring in 0 days, renewed", listed);
        Assert.Matches(@"daemon3 +agent +[0-9A-F]+ +\d{4}-\d\d-\d\d \d\d:\d\d +\S+ \S+ +valid\n", listed);
    }
}
