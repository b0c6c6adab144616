using DaemonNet.Tests.Support;

namespace DaemonNet.EndToEnd.Tests;

/// <summary>
/// The native executables that the README's install puts on hosts (scripts/publish.sh: NativeAOT
/// agent and CLI) doing the real work: libvirt through P/Invoke, configuration binding, mutual TLS.
/// </summary>
public sealed class NativeProgramsTests : IDisposable
{
    private readonly SimulatedCluster cluster = new();

    public void Dispose() => cluster.Dispose();

    [Fact]
    public async Task NativeAgentAndCli_ReportAndAnswerLikeTheJitBuilds()
    {
        await cluster.StartCollectorAsync();
        var host = cluster.AddHost(1);
        host.Node.Domain("web1", "5f0c8a52-0001-4a5e-9c1e-000000000001", running: true, ("network", "52:54:00:ab:01:01", "nat-bridge")).Write();
        host.Namespace.SetNeighbour("192.168.122.45", "52:54:00:ab:01:01", "virbr0", "permanent");
        host.StartAgent(program: Programs.Published("agent/daemonnet-agent"));
        string[] tls = [.. cluster.TlsArguments("admin"), "--collector", cluster.CollectorUrl];
        (int ExitCode, string Output, string Error) Cli(params string[] arguments) =>
            Shell.TryRun("ip", ["netns", "exec", cluster.Central.Name, Programs.Published("cli/daemonnet"), .. tls, .. arguments]);

        var where = await Eventually.HoldsAsync(() => Cli("where", "web1"), r => r.ExitCode == 0 && r.Output.Contains("192.168.122.45"), "the native CLI finding web1");
        var tunnels = Cli("tunnels", "--json");
        var audit = Cli("audit", "--min-severity", "critical");

        Assert.Contains("web1 on daemon1: running", where.Output);
        Assert.Equal(0, tunnels.ExitCode);
        Assert.Contains("\"bridges\": [", tunnels.Output);
        Assert.Equal((0, ""), (audit.ExitCode, audit.Error));
        Assert.Contains("No findings at critical or above; 1 below critical not shown", audit.Output);

        // The CLI trusts only the cluster CA: it must not read the system's certificate store,
        // which cost more than half of every call (docs/BENCHMARKS.md).
        var trace = cluster.Folder.File("cli.strace");
        var traced = Shell.TryRun("ip", ["netns", "exec", cluster.Central.Name, "strace", "-f", "-e", "trace=openat", "-o", trace,
            Programs.Published("cli/daemonnet"), .. tls, "where", "web1"]);
        Assert.Equal(0, traced.ExitCode);
        Assert.Contains("192.168.122.45", traced.Output);
        var opened = await File.ReadAllLinesAsync(trace);
        Assert.Contains(opened, l => l.Contains("admin-key.pem", StringComparison.Ordinal));
        Assert.DoesNotContain(opened, l => l.Contains("/etc/ssl/certs", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NativeCli_WrongCaOrNoCertificate_SaysWhatToFix()
    {
        await cluster.StartCollectorAsync();
        var otherCluster = cluster.Folder.Folder("other-tls");
        Shell.Run("dotnet", Programs.Collector, "certs", "init", "--dir", otherCluster, "--san", SimulatedCluster.CollectorAddress);
        (int ExitCode, string Output, string Error) Cli(params string[] arguments) =>
            Shell.TryRun("ip", ["netns", "exec", cluster.Central.Name, Programs.Published("cli/daemonnet"), "--collector", cluster.CollectorUrl, .. arguments, "where", "web1"]);
        var admin = cluster.TlsArguments("admin");

        var wrongCa = Cli(["--ca-file", Path.Combine(otherCluster, "ca.pem"), .. admin[2..]]);
        var noCertificate = Cli(admin[..2]);

        Assert.Equal(3, wrongCa.ExitCode);
        Assert.StartsWith($"daemonnet: the collector at {cluster.CollectorUrl} is not trusted: ", wrongCa.Error);
        Assert.Contains("PartialChain", wrongCa.Error);
        Assert.Contains("must come from the cluster CA that --ca-file (DAEMONNET_CA_FILE) names", wrongCa.Error);
        Assert.Equal(3, noCertificate.ExitCode);
        Assert.Contains("answers only clients with a certificate", noCertificate.Error);
        Assert.Contains("Give --cert-file and --key-file", noCertificate.Error);
        Assert.Contains("or --token-file (a reader's token, 'daemonnet-collector certs token issue')", noCertificate.Error);
    }

    [Fact]
    public async Task NativeCli_WithAReadersToken_AnswersUntilTheTokenIsRevoked()
    {
        await cluster.StartCollectorAsync();
        var host = cluster.AddHost(1);
        host.Node.Domain("web1", "5f0c8a52-0001-4a5e-9c1e-000000000001", running: true, ("network", "52:54:00:ab:01:01", "nat-bridge")).Write();
        host.Namespace.SetNeighbour("192.168.122.45", "52:54:00:ab:01:01", "virbr0", "permanent");
        host.StartAgent();
        var issued = Shell.TryRun("dotnet", [Programs.Collector, "certs", "token", "issue", "--dir", cluster.CertificateDir, "--name", "provisioning", "--ttl", "1h"]);
        var tokenFile = cluster.Folder.File("provisioning.token");
        await File.WriteAllTextAsync(tokenFile, issued.Output);
        File.SetUnixFileMode(tokenFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        (int ExitCode, string Output, string Error) Cli(params string[] arguments) =>
            Shell.TryRun("ip", ["netns", "exec", cluster.Central.Name, Programs.Published("cli/daemonnet"), "--collector", cluster.CollectorUrl,
                "--ca-file", Path.Combine(cluster.CertificateDir, "ca.pem"), "--token-file", tokenFile, .. arguments]);

        var where = await Eventually.HoldsAsync(() => Cli("where", "web1"), r => r.ExitCode == 0 && r.Output.Contains("192.168.122.45"), "the CLI with a token finding web1");
        var listed = Shell.TryRun("dotnet", [Programs.Collector, "certs", "token", "list", "--dir", cluster.CertificateDir]);
        var revoked = Shell.TryRun("dotnet", [Programs.Collector, "certs", "token", "revoke", "--dir", cluster.CertificateDir, "--name", "provisioning"]);
        var refused = await Eventually.HoldsAsync(() => Cli("where", "web1"), r => r.ExitCode != 0, "the revoked token refused");

        Assert.Equal(0, issued.ExitCode);
        Assert.Matches("^dnt_[0-9a-f]{8}_[0-9a-f]{64}\n$", issued.Output);
        Assert.Contains("web1 on daemon1: running", where.Output);
        Assert.Matches("provisioning +reader .* valid\n", listed.Output);
        Assert.DoesNotContain(issued.Output.Trim(), listed.Output + await File.ReadAllTextAsync(Path.Combine(cluster.CertificateDir, "tokens.txt")));
        Assert.Equal(0, revoked.ExitCode);
        Assert.Equal(4, refused.ExitCode);
        Assert.Contains("of provisioning was revoked at", refused.Error);
    }
}
