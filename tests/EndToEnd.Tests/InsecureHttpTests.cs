using System.Net;
using DaemonNet.Tests.Support;

namespace DaemonNet.EndToEnd.Tests;

/// <summary>
/// Under --insecure the main port is plain HTTP/2 for gRPC, which cannot offer HTTP/1.1 beside it:
/// the page and the HTTP routes are on the second port --http-listen gives, and only there.
/// </summary>
public class InsecureHttpTests
{
    [Fact]
    public async Task HttpListen_UnderInsecure_ServesThePageAndTheRoutesOverPlainHttp11()
    {
        using var folder = new TempDirectory();
        var (grpcPort, httpPort) = (LoopbackPort.Free(), LoopbackPort.Free());
        using var collector = RunningProgram.Start(Programs.Collector,
            ["--listen", $"127.0.0.1:{grpcPort}", "--http-listen", $"127.0.0.1:{httpPort}", "--db", folder.File("collector.db"), "--insecure"]);
        await collector.WaitForOutputAsync("Listening on", TimeSpan.FromSeconds(30));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), DefaultRequestVersion = HttpVersion.Version11 };

        using var page = await http.GetAsync("/");
        using var hosts = await http.GetAsync("/v1/hosts");
        using var missing = await http.GetAsync("/v1/where/web1");
        var cli = Shell.TryRun("dotnet", Programs.Cli, "--collector", $"http://127.0.0.1:{grpcPort}", "--insecure", "hosts");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<title>DaemonNet</title>", await page.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, hosts.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.True(cli.ExitCode is 0 or 1, $"gRPC on the main port: {cli.Error}");
    }

    [Fact]
    public void HttpListen_WithTls_IsRefusedAtStartWithItsReason()
    {
        using var folder = new TempDirectory();
        var tls = folder.Folder("tls");
        Shell.Run("dotnet", Programs.Collector, "certs", "init", "--dir", tls, "--san", "127.0.0.1");

        var (exitCode, output, error) = Shell.TryRun("dotnet", Programs.Collector, "--listen", $"127.0.0.1:{LoopbackPort.Free()}", "--http-listen", "127.0.0.1:7999",
            "--db", folder.File("collector.db"), "--ca-file", Path.Combine(tls, "ca.pem"), "--cert-file", Path.Combine(tls, "collector.pem"),
            "--key-file", Path.Combine(tls, "collector-key.pem"));

        Assert.Equal(2, exitCode);
        Assert.Contains("--http-listen) is only for --insecure", output + error);
    }
}
