using System.Diagnostics;
using DaemonNet.Tests.Support;

namespace DaemonNet.EndToEnd.Tests;

/// <summary>What the CLI says, and how it exits, when it cannot do what was asked.</summary>
public class CliFailureTests
{
    [Fact]
    public void Where_DeadCollector_ExitsThreeWithinSecondsNamingTheAddress()
    {
        using var isolated = NetworkNamespace.Create("dead");
        var watch = Stopwatch.StartNew();

        var (exitCode, _, error) = Shell.TryRun("ip", "netns", "exec", isolated.Name, "dotnet", Programs.Cli, "where", "web1", "--insecure", "--collector", "http://127.0.0.1:7460");

        Assert.Equal(3, exitCode);
        Assert.StartsWith("daemonnet: cannot reach the collector at http://127.0.0.1:7460: Connection refused.", error);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Where_UnroutableCollector_ExitsThreeInsteadOfHanging()
    {
        using var isolated = NetworkNamespace.Create("noroute");

        var (exitCode, _, error) = Shell.TryRun("ip", "netns", "exec", isolated.Name, "dotnet", Programs.Cli, "where", "web1", "--insecure", "--collector", "http://192.0.2.1:7460");

        Assert.Equal(3, exitCode);
        Assert.StartsWith("daemonnet: cannot reach the collector at http://192.0.2.1:7460", error);
    }

    [Theory]
    [InlineData(new[] { "where" }, "Required argument missing for command: 'where'")]
    [InlineData(new[] { "where", "web1", "--bogus" }, "Unrecognized command or argument '--bogus'")]
    [InlineData(new[] { "frobnicate" }, "Unrecognized command or argument 'frobnicate'")]
    public void Cli_MalformedCommandLine_ExitsTwoAndPointsToHelp(string[] arguments, string expected)
    {
        var (exitCode, _, error) = CliRun.Daemonnet(arguments);

        Assert.Equal(2, exitCode);
        Assert.Contains(expected, error);
        Assert.Contains("Run daemonnet --help", error);
    }

    [Theory]
    [InlineData("wher", "daemonnet: 'wher' is not a command. Did you mean 'daemonnet where'?")]
    [InlineData("hsots", "daemonnet: 'hsots' is not a command. Did you mean 'daemonnet hosts'?")]
    [InlineData("histroy", "daemonnet: 'histroy' is not a command. Did you mean 'daemonnet history'?")]
    public void Cli_MistypedCommand_SuggestsTheCommandMeant(string typed, string expected)
    {
        var (exitCode, _, error) = CliRun.Daemonnet("--collector", "https://127.0.0.1:1", typed, "web1");

        Assert.Equal(2, exitCode);
        Assert.Equal([expected, "Run daemonnet --help for the commands and their options."], error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("inventory", "--list")]
    [InlineData("where", "<query>")]
    public void Help_ForACommandLineThatWouldBeRefused_IsStillShown(string command, string expected)
    {
        var (exitCode, output, error) = CliRun.Daemonnet(command, "--help");

        Assert.True(exitCode == 0, error);
        Assert.Contains(expected, output, StringComparison.Ordinal);
    }

    [Fact]
    public void Cli_WordFarFromEveryCommand_GetsNoSuggestion()
    {
        var (_, _, error) = CliRun.Daemonnet("frobnicate");

        Assert.DoesNotContain("Did you mean", error);
    }

    [Theory]
    [InlineData("where", "--at")]
    [InlineData("history", "--since")]
    public void Cli_TimeThatCannotBeRead_ExitsTwoListingTheAcceptedForms(string command, string option)
    {
        var (exitCode, _, error) = CliRun.Daemonnet(command, "web1", option, "yesterday");

        Assert.Equal(2, exitCode);
        Assert.Contains("'yesterday' is not a time: use ISO 8601 such as 2026-11-03T14:05", error);
        Assert.Contains("90s ago, 15m ago, 2h ago, 3d ago", error);
    }

    [Fact]
    public void Cli_CollectorNotAUrl_ExitsTwoWithAnExample()
    {
        var (exitCode, _, error) = CliRun.Daemonnet("hosts", "--collector", "collector:7460");

        Assert.Equal(2, exitCode);
        Assert.Equal("daemonnet: collector address 'collector:7460' is not an http:// or https:// URL, e.g. https://collector.example:7460\n", error);
    }

    [Fact]
    public void Cli_NoCertificatesAndNotInsecure_ExitsTwoSayingHowToGetThem()
    {
        var (exitCode, _, error) = CliRun.Daemonnet("hosts", "--collector", "https://127.0.0.1:7460");

        Assert.Equal(2, exitCode);
        Assert.Contains("mutual TLS needs --ca-file, --cert-file and --key-file (create them with 'daemonnet-collector certs init'", error);
    }

    [Fact]
    public void Cli_PlainHttpWithoutInsecure_IsRefused()
    {
        var (exitCode, _, error) = CliRun.Daemonnet("hosts", "--collector", "http://127.0.0.1:7460", "--ca-file", "a", "--cert-file", "b", "--key-file", "c");

        Assert.Equal(2, exitCode);
        Assert.Contains("is plain http://: use https:// with mutual TLS, or --insecure", error);
    }

    [Theory]
    [InlineData("daemonnet-agent", new[] { "--interval", "soon" }, "Agent:Interval (--interval) 'soon' is not a duration")]
    [InlineData("daemonnet-agent", new[] { "--collectr", "x" }, "Unrecognized command or argument '--collectr'")]
    [InlineData("daemonnet-collector", new[] { "--listen", "nowhere", "--insecure" }, "Collector:Listen (--listen) 'nowhere' is not HOST:PORT")]
    [InlineData("daemonnet-collector", new[] { "--ca-file", "/nonexistent/ca.pem" }, "cannot load /nonexistent/ca.pem")]
    [InlineData("daemonnet-agent", new[] { "--collector", "http://10.0.0.1:7460" }, "is plain http://: use https:// with mutual TLS, or --insecure")]
    [InlineData("daemonnet-agent", new[] { "--collector", "https://10.0.0.1:7460" }, "Agent: mutual TLS needs --ca-file, --cert-file and --key-file")]
    public void Programs_BadFlags_ExitTwoNamingTheSetting(string program, string[] arguments, string expected)
    {
        var path = program == "daemonnet-agent" ? Programs.Agent : Programs.Collector;

        var (exitCode, _, error) = Shell.TryRun("dotnet", [path, .. arguments]);

        Assert.Equal(2, exitCode);
        Assert.Contains(expected, error);
    }
}
