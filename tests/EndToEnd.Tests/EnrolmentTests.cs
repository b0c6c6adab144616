using DaemonNet.Tests.Support;

namespace DaemonNet.EndToEnd.Tests;

/// <summary>
/// A daemon host enrolling itself, as docs/SECURITY.md tells an admin to do it: the token from
/// 'daemonnet-collector enrol create', the agent's 'enrol' in the host's namespace, then the agent
/// streaming with the key and certificate it keeps in its state folder.
/// </summary>
public sealed class EnrolmentTests : IDisposable
{
    private readonly SimulatedCluster cluster = new();

    public void Dispose() => cluster.Dispose();

    [Fact]
    public async Task Agent_EnrolsWithATokenAndThePinnedCa_ThenStreamsWithWhatItKeeps()
    {
        await cluster.StartCollectorAsync();
        var host = cluster.AddHost(1);
        host.Node.Domain("web1", "5f0c8a52-0001-4a5e-9c1e-000000000001", running: true, ("network", "52:54:00:ab:01:01", "nat-bridge")).Write();
        host.Namespace.SetNeighbour("192.168.122.45", "52:54:00:ab:01:01", "virbr0", "permanent");
        // The host had a certificate issued by hand: an admin revokes it before the host enrols anew.
        Shell.Run("dotnet", Programs.Collector, "certs", "revoke", "--dir", cluster.CertificateDir, "--name", host.Name);
        var created = Shell.TryRun("dotnet", [Programs.Collector, "enrol", "create", "--dir", cluster.CertificateDir, "--hosts", "daemon*", "--ttl", "1h", "--cert-ttl", "30s"]);
        var (token, pin) = created.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries) is [var t, var p] ? (t, p) : ("", "");
        var tokenFile = cluster.Folder.File("enrol.token");
        await File.WriteAllTextAsync(tokenFile, token);
        var stateDir = Path.Combine(cluster.Folder.Path, "daemon1-state");
        (int ExitCode, string Output, string Error) Enrol(string caPin) => Shell.TryRun("ip", ["netns", "exec", host.Namespace.Name, "dotnet", Programs.Agent, "enrol",
            "--collector", cluster.CollectorUrl, "--token-file", tokenFile, "--ca-pin", caPin, "--host-name", host.Name, "--state-dir", stateDir]);

        var wrongPin = Enrol("sha256:" + new string('0', 64));
        var usesAfterWrongPin = Shell.TryRun("dotnet", [Programs.Collector, "enrol", "list", "--dir", cluster.CertificateDir]).Output;
        var enrolled = Enrol(pin);
        var again = Enrol(pin);
        var firstCertificate = await File.ReadAllTextAsync(Path.Combine(stateDir, "cert.pem"));
        host.StartAgent(stateDir: stateDir);

        Assert.Equal(0, created.ExitCode);
        Assert.Matches("^dne_[0-9a-f]{8}_[0-9a-f]{64}$", token);
        Assert.Matches("^sha256:[0-9a-f]{64}$", pin);
        Assert.Equal(5, wrongPin.ExitCode);
        Assert.Contains("Nothing was sent", wrongPin.Error);
        Assert.Matches(@"daemon\* +1 ", usesAfterWrongPin);
        Assert.Equal(0, enrolled.ExitCode);
        Assert.Contains($"enrolled {host.Name}: certificate serial", enrolled.Output);
        foreach (var file in new[] { "key.pem", "cert.pem", "ca.pem" })
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(stateDir, file)));
        }
        Assert.False(File.Exists(Path.Combine(cluster.CertificateDir, $"{host.Name}-key.pem")), "the host's key is on the collector");
        Assert.Equal(0, again.ExitCode);
        await Eventually.HoldsAsync(() => cluster.Daemonnet("where", "web1"), r => r.ExitCode == 0 && r.Output.Contains("192.168.122.45"),
            "web1 reported by the enrolled agent");

        // Its certificate lives 30 s: two thirds in, the agent renews it over mutual TLS and streams on with the new one.
        await Eventually.ValueAsync(() => File.ReadAllTextAsync(Path.Combine(stateDir, "cert.pem")), pem => pem != firstCertificate,
            "the agent's certificate renewed", TimeSpan.FromSeconds(60));
        host.Node.Domain("web2", "5f0c8a52-0002-4a5e-9c1e-000000000002", running: true, ("network", "52:54:00:ab:01:02", "nat-bridge")).Write();
        host.Namespace.SetNeighbour("192.168.122.46", "52:54:00:ab:01:02", "virbr0", "permanent");
        await Eventually.HoldsAsync(() => cluster.Daemonnet("where", "web2"), r => r.ExitCode == 0 && r.Output.Contains("192.168.122.46"),
            "web2, defined after the renewal, reported with the new certificate");
        var listed = Shell.TryRun("dotnet", [Programs.Collector, "certs", "list", "--dir", cluster.CertificateDir]).Output;
        Assert.Matches($@"{host.Name} +agent .* revoked .*\(replaced\)", listed);
        Assert.Matches($@"{host.Name} +agent +[0-9A-F]+ +\d{{4}}-\d\d-\d\d \d\d:\d\d +\S+ \S+ +expiring in 0 days, renewed", listed);
    }

    [Fact]
    public async Task Agent_AtFirstStartWithEnrolmentSettings_WaitsForTheAdminsApprovalThenStreams()
    {
        await cluster.StartCollectorAsync();
        var host = cluster.AddHost(1);
        host.Node.Domain("web1", "5f0c8a52-0001-4a5e-9c1e-000000000001", running: true, ("network", "52:54:00:ab:01:01", "nat-bridge")).Write();
        host.Namespace.SetNeighbour("192.168.122.45", "52:54:00:ab:01:01", "virbr0", "permanent");
        Shell.Run("dotnet", Programs.Collector, "certs", "revoke", "--dir", cluster.CertificateDir, "--name", host.Name);
        var created = Shell.TryRun("dotnet", [Programs.Collector, "enrol", "create", "--dir", cluster.CertificateDir, "--hosts", "daemon?", "--approve"]);
        var lines = created.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var tokenFile = cluster.Folder.File("enrol.token");
        await File.WriteAllTextAsync(tokenFile, lines[0]);
        var stateDir = Path.Combine(cluster.Folder.Path, "daemon1-state");

        host.StartAgent(stateDir: stateDir, environment: new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["DAEMONNET_Agent__EnrolTokenFile"] = tokenFile,
            ["DAEMONNET_Agent__EnrolCaPin"] = lines[1],
        });
        var pending = await Eventually.HoldsAsync(() => Shell.TryRun("dotnet", [Programs.Collector, "certs", "pending", "--dir", cluster.CertificateDir]),
            r => r.Output.Contains(host.Name, StringComparison.Ordinal), "the request waiting for approval");
        var approved = Shell.TryRun("dotnet", [Programs.Collector, "certs", "approve", "--dir", cluster.CertificateDir, host.Name]);

        Assert.Matches($@"{host.Name} +[0-9a-f]{{8}} .* waiting", pending.Output);
        Assert.Equal(0, approved.ExitCode);
        await Eventually.HoldsAsync(() => cluster.Daemonnet("where", "web1"), r => r.ExitCode == 0 && r.Output.Contains("192.168.122.45"),
            $"web1 reported once the admin approved ({approved.Output} {approved.Error}); the agent said: {host.Agent!.Output}; the collector: {cluster.Collector!.Output}");
        Assert.True(File.Exists(Path.Combine(stateDir, "cert.pem")));
    }
}
