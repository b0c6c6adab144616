using DaemonNet.Protos.Formats;
using DaemonNet.Protos.Security;
using DaemonNet.Protos.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace DaemonNet.Cli;

/// <summary>
/// One short-lived connection to the collector. Every call has a deadline, so a dead or
/// black-holed collector gives an answer in seconds, never a hang.
/// </summary>
internal sealed class CollectorConnection : IDisposable
{
    private static readonly TimeSpan CallDeadline = TimeSpan.FromSeconds(5);
    private readonly GrpcChannel channel;

    private readonly bool presentsCredential;

    private CollectorConnection(string url, GrpcChannel channel, bool presentsCredential)
    {
        Url = url;
        this.presentsCredential = presentsCredential;
        this.channel = channel;
        Inventory = new Inventory.InventoryClient(channel);
        Alerts = new Alerts.AlertsClient(channel);
    }

    public string Url { get; }

    public Inventory.InventoryClient Inventory { get; }

    public Alerts.AlertsClient Alerts { get; }

    public static DateTime Deadline => DateTime.UtcNow + CallDeadline;

    /// <summary>
    /// Opens a connection: mutual TLS with the given files, TLS with a bearer token, or plain HTTP/2
    /// when <paramref name="tls"/> is null (--insecure). Returns null after saying on stderr what is unusable.
    /// </summary>
    public static CollectorConnection? Open(string url, TlsFiles? tls, string? token)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            Console.Error.WriteLine($"daemonnet: collector address '{url}' is not an http:// or https:// URL, e.g. https://collector.example:7460");
            return null;
        }
        var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(3) };
        if (tls is null)
        {
            if (uri.Scheme != Uri.UriSchemeHttp)
            {
                uri = new UriBuilder(uri) { Scheme = Uri.UriSchemeHttp, Port = uri.Port }.Uri;
            }
        }
        else
        {
            SystemTrustStore.Skip();
            if (uri.Scheme != Uri.UriSchemeHttps)
            {
                Console.Error.WriteLine($"daemonnet: collector address '{url}' is plain http://: use https:// with mutual TLS, or --insecure for a collector running --insecure");
                return null;
            }
            if (!tls.IsComplete && !tls.IsServerOnly)
            {
                Console.Error.WriteLine($"daemonnet: {TlsFiles.Missing}; the files can also come from DAEMONNET_CA_FILE, DAEMONNET_CERT_FILE and DAEMONNET_KEY_FILE. "
                    + "Instead of a certificate, a reader may give --token-file (DAEMONNET_TOKEN_FILE) with --ca-file");
                return null;
            }
            try
            {
                handler.SslOptions = tls.IsServerOnly ? tls.ServerOnlyClientOptions() : tls.ClientOptions();
            }
            catch (InvalidOperationException e)
            {
                Console.Error.WriteLine($"daemonnet: {e.Message}");
                return null;
            }
        }
        return new CollectorConnection(uri.ToString().TrimEnd('/'),
            GrpcChannel.ForAddress(uri, new GrpcChannelOptions
            {
                HttpHandler = token is null ? handler : new BearerToken.Handler(token, handler),
                MaxReceiveMessageSize = MaxReplyBytes,
            }),
            presentsCredential: tls is { IsServerOnly: false } || token is not null);
    }

    /// <summary>
    /// Every field a host reports is bounded, but a large cluster's answer is the sum of many: the
    /// default 4 MiB would refuse `vms` or `hosts` long before memory matters on an admin's machine.
    /// </summary>
    private const int MaxReplyBytes = 256 * 1024 * 1024;

    /// <summary>Runs one call; a failure becomes a sentence on stderr and the matching exit code.</summary>
    public Task<int> RunAsync<T>(Func<Inventory.InventoryClient, Task<T>> call, Func<T, int> onReply) => RunAsync(() => call(Inventory), onReply);

    /// <summary>Runs one call of any of the collector's services; a failure becomes a sentence on stderr and the matching exit code.</summary>
    public async Task<int> RunAsync<T>(Func<Task<T>> call, Func<T, int> onReply)
    {
        T reply;
        try
        {
            reply = await call();
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.InvalidArgument)
        {
            Console.Error.WriteLine($"daemonnet: {e.Status.Detail}");
            return ExitCodes.UsageError;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            Console.Error.WriteLine($"daemonnet: {e.Status.Detail}");
            return ExitCodes.NothingMatched;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unauthenticated)
        {
            Console.Error.WriteLine($"daemonnet: the collector at {Url} refused: {e.Status.Detail}. "
                + (presentsCredential ? "" : "Give --cert-file and --key-file (a reader's certificate, 'daemonnet-collector certs issue --role reader'), "
                    + "or --token-file (a reader's token, 'daemonnet-collector certs token issue')."));
            return ExitCodes.PermissionDenied;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.PermissionDenied)
        {
            Console.Error.WriteLine($"daemonnet: the collector at {Url} refused: {e.Status.Detail}");
            return ExitCodes.PermissionDenied;
        }
        catch (RpcException e) when (TlsProblem(e) is { } problem)
        {
            Console.Error.WriteLine($"daemonnet: {problem}");
            return ExitCodes.CollectorUnreachable;
        }
        catch (RpcException e)
        {
            Console.Error.WriteLine(e.StatusCode switch
            {
                StatusCode.Unavailable => $"daemonnet: cannot reach the collector at {Url}: {RpcFailureText.Reason(e)}. Is daemonnet-collector running there? Set --collector or DAEMONNET_COLLECTOR.",
                StatusCode.DeadlineExceeded => $"daemonnet: the collector at {Url} did not answer within {CallDeadline.TotalSeconds:0} s.",
                _ => $"daemonnet: the collector at {Url} failed: {e.StatusCode}: {e.Status.Detail}",
            });
            return ExitCodes.CollectorUnreachable;
        }
        return onReply(reply);
    }

    /// <summary>What went wrong in the TLS handshake, as a sentence an admin can act on; null when the failure was something else.</summary>
    private string? TlsProblem(RpcException e)
    {
        for (var inner = e.Status.DebugException; inner is not null; inner = inner.InnerException)
        {
            if (inner is System.Security.Authentication.AuthenticationException refused)
            {
                return $"the collector at {Url} is not trusted: {refused.Message}. Its certificate must come from the cluster CA that --ca-file "
                    + "(DAEMONNET_CA_FILE) names, issued for the address in --collector.";
            }
            if (!presentsCredential && ClosedOnUs(inner))
            {
                return $"the collector at {Url} closed the connection: unless its reads are open or it has issued tokens, it answers only clients with a certificate. "
                    + "Give --cert-file and --key-file (a reader's, from 'daemonnet-collector certs issue --role reader'), "
                    + "or --token-file (a reader's token, 'daemonnet-collector certs token issue').";
            }
        }
        return null;
    }

    /// <summary>
    /// The collector ended a connection it had accepted. Closing on a client without a certificate
    /// shows as any of these, depending on where the client was when it closed; a refused or
    /// timed-out connect is none of them.
    /// </summary>
    private static bool ClosedOnUs(Exception e) => e switch
    {
        HttpIOException { HttpRequestError: HttpRequestError.ResponseEnded } => true,
        ObjectDisposedException { ObjectName: var name } => name.Contains("SslStream", StringComparison.Ordinal),
        System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionReset or System.Net.Sockets.SocketError.Shutdown } => true,
        _ => false,
    };

    public void Dispose() => channel.Dispose();
}
