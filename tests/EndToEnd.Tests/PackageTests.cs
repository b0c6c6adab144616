using System.Text.RegularExpressions;
using DaemonNet.Tests.Support;

namespace DaemonNet.EndToEnd.Tests;

/// <summary>
/// The Debian packages as an admin gets them: scripts/package.sh builds them from the programs the
/// suite published, lintian checks them, dpkg installs them on this machine, the programs answer,
/// systemd accepts the units, and purge takes everything away again (state only on purge).
/// </summary>
public sealed class PackageTests : IDisposable
{
    private static readonly string[] Packages = ["daemonnet", "daemonnet-agent", "daemonnet-collector"];
    private readonly TempDirectory folder = new();
    private bool installing;

    /// <summary>Purges what this test installed, and only that: packages found installed before are never touched.</summary>
    public void Dispose()
    {
        if (installing)
        {
            Shell.TryRun("dpkg", ["--purge", .. Packages]);
        }
        folder.Dispose();
    }

    private static (int ExitCode, string Output, string Error) Run(string file, params string[] arguments)
    {
        var result = Shell.TryRun(file, arguments);
        Assert.True(result.ExitCode == 0, $"{file} {string.Join(' ', arguments)} exited {result.ExitCode}:\n{result.Output}\n{result.Error}");
        return result;
    }

    private static string Completions(string line) =>
        Run("bash", "-c", $"source /usr/share/bash-completion/completions/{line.Split(' ')[0]}; COMP_LINE='{line}'; COMP_POINT={line.Length}; " +
            $"COMP_WORDS=({line}); COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 )); _{line.Split(' ')[0].Replace('-', '_')}_complete {line.Split(' ')[0]}; printf '%s\\n' \"${{COMPREPLY[@]}}\"").Output;

    [Fact]
    public async Task Packages_BuildCleanInstallAnswerAndPurge()
    {
        foreach (var package in Packages)
        {
            var status = Shell.TryRun("dpkg-query", "-W", "-f=${Status}", package).Output;
            Assert.False(status.Contains("installed", StringComparison.Ordinal),
                $"{package} is installed on this machine, and this test installs and purges it: remove it first (dpkg --purge {package}) or run the test elsewhere");
        }
        var published = Path.GetDirectoryName(Path.GetDirectoryName(Programs.Published("agent/daemonnet-agent")))!;
        var packaging = Shell.TryRun(TimeSpan.FromMinutes(5), "bash", Path.Combine(Programs.RepositoryRoot, "scripts", "package.sh"), "--from", published, folder.Path);
        Assert.True(packaging.ExitCode == 0, $"package.sh:\n{packaging.Output}\n{packaging.Error}");
        var debs = packaging.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var upstream = Regex.Match(await File.ReadAllTextAsync(Path.Combine(Programs.RepositoryRoot, "Directory.Build.props")), "<Version>(.*)</Version>").Groups[1].Value;

        Assert.Equal(Packages.Select(p => $"{p}_"), debs.Select(d => Path.GetFileName(d)[..(Path.GetFileName(d).IndexOf('_') + 1)]), StringComparer.Ordinal);
        var lintian = Shell.TryRun(TimeSpan.FromMinutes(3), "lintian", ["--tag-display-limit", "0", .. debs]);
        Assert.True(lintian.ExitCode == 0 && !Regex.IsMatch(lintian.Output, "^[EW]: ", RegexOptions.Multiline), $"lintian:\n{lintian.Output}\n{lintian.Error}");

        installing = true;
        Run("dpkg", ["-i", .. debs]);
        foreach (var program in Packages)
        {
            Assert.StartsWith(upstream + "+", Run($"/usr/bin/{program}", "--version").Output);
        }
        Assert.Contains("daemonnet", Run("getent", "passwd", "daemonnet").Output);
        Assert.Equal("750 daemonnet daemonnet", Run("stat", "-c", "%a %U %G", "/var/lib/daemonnet").Output.Trim());
        Assert.Contains("/etc/daemonnet/collector.json", Run("dpkg-query", "-W", "-f=${Conffiles}", "daemonnet-collector").Output);
        Assert.Contains("/etc/daemonnet/agent.json", Run("dpkg-query", "-W", "-f=${Conffiles}", "daemonnet-agent").Output);
        foreach (var unit in new[] { "daemonnet-agent", "daemonnet-collector" })
        {
            Run("systemd-analyze", "verify", $"/lib/systemd/system/{unit}.service");
            var security = Run("systemd-analyze", "security", "--offline=true", $"/lib/systemd/system/{unit}.service").Output;
            var exposure = double.Parse(Regex.Match(security, @"Overall exposure level for \S+: (\d+\.\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(exposure <= 3.0, $"{unit}'s exposure rose to {exposure}:\n{security}");
        }
        Assert.Contains("--list", Run("/usr/share/daemonnet/ansible-inventory", "--help").Output, StringComparison.Ordinal);
        Assert.Contains("where", Completions("daemonnet wh").Split('\n'), StringComparer.Ordinal);
        Assert.Contains("backup", Completions("daemonnet-collector ba").Split('\n'), StringComparer.Ordinal);
        Assert.Contains("--guest-agent", Completions("daemonnet-agent --gu").Split('\n'), StringComparer.Ordinal);

        // The installed collector, as its unit runs it: the system user, the packaged settings (metrics on 127.0.0.1:9469).
        var port = LoopbackPort.Free();
        using (var collector = RunningProgram.Start("setpriv", ["--reuid", "daemonnet", "--regid", "daemonnet", "--clear-groups",
            "/usr/bin/daemonnet-collector", "--insecure", "--listen", $"127.0.0.1:{port}", "--metrics-listen", $"127.0.0.1:{LoopbackPort.Free()}"]))
        {
            await collector.WaitForOutputAsync("Listening on", TimeSpan.FromSeconds(60));
        }
        Assert.Equal("600 daemonnet", Run("stat", "-c", "%a %U", "/var/lib/daemonnet/collector.db").Output.Trim());

        Run("dpkg", "-r", "daemonnet-collector");
        Assert.True(File.Exists("/var/lib/daemonnet/collector.db"), "remove deleted the history; only purge may");
        Run("dpkg", ["--purge", .. Packages]);
        Assert.False(Directory.Exists("/var/lib/daemonnet"), "purge left /var/lib/daemonnet behind");
        Assert.False(File.Exists("/etc/daemonnet/collector.json"), "purge left the collector's settings behind");
        Assert.False(File.Exists("/usr/bin/daemonnet"), "purge left the CLI behind");
    }
}
