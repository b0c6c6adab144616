using DaemonNet.Tests.Support;

namespace DaemonNet.Collector.Tests.Alerting;

/// <summary>
/// A real SMTP server: Debian's aiosmtpd (python3-aiosmtpd) on a loopback port, delivering each
/// mail into a maildir the test reads.
/// </summary>
internal sealed class SmtpReceiver : IDisposable
{
    private readonly RunningProgram server;
    private readonly string maildir;

    private SmtpReceiver(RunningProgram server, string maildir, int port)
    {
        this.server = server;
        this.maildir = maildir;
        Port = port;
    }

    public int Port { get; }

    public static async Task<SmtpReceiver> StartAsync(string folder)
    {
        var port = LoopbackPort.Free();
        var maildir = Path.Combine(folder, "maildir");
        var server = RunningProgram.Start("/usr/bin/python3",
            ["-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Mailbox", maildir]);
        await Eventually.HoldsAsync(() => CanConnect(port), up => up, $"aiosmtpd listening on 127.0.0.1:{port} ({server.Output})");
        return new SmtpReceiver(server, maildir, port);
    }

    /// <summary>The raw messages delivered so far, oldest first.</summary>
    public IReadOnlyList<string> Messages
    {
        get
        {
            var delivered = Path.Combine(maildir, "new");
            return Directory.Exists(delivered)
                ? Directory.GetFiles(delivered).Select(f => new FileInfo(f)).OrderBy(f => f.LastWriteTimeUtc).Select(f => File.ReadAllText(f.FullName)).ToList()
                : [];
        }
    }

    /// <summary>A raw message made readable: folded header lines joined, a base64 body decoded.</summary>
    public static string Readable(string raw)
    {
        var split = raw.IndexOf("\n\n", StringComparison.Ordinal);
        var headers = raw[..split].Replace("\n ", " ", StringComparison.Ordinal);
        var body = raw[(split + 2)..];
        if (headers.Contains("Content-Transfer-Encoding: base64", StringComparison.Ordinal))
        {
            body = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(string.Concat(body.Split('\n', StringSplitOptions.TrimEntries))));
        }
        return headers + "\n\n" + body;
    }

    private static bool CanConnect(int port)
    {
        try
        {
            using var client = new System.Net.Sockets.TcpClient();
            client.Connect("127.0.0.1", port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    public void Dispose() => server.Dispose();
}
