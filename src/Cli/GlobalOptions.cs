using System.CommandLine;
using DaemonNet.Protos.Security;
using DaemonNet.Protos.V1;

namespace DaemonNet.Cli;

/// <summary>Options every command takes.</summary>
internal static class GlobalOptions
{
    public const string DefaultCollector = "https://127.0.0.1:7460";
    public const string CollectorVariable = "DAEMONNET_COLLECTOR";

    public static readonly Option<string?> Collector = new("--collector")
    {
        Description = $"Collector URL (default: ${CollectorVariable}, else {DefaultCollector})",
        HelpName = "URL",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Print the collector's answer as JSON (the proto3 JSON mapping of the reply message)",
        Recursive = true,
    };

    public static readonly Option<string?> CaFile = new("--ca-file")
    {
        Description = "The cluster CA (default: $DAEMONNET_CA_FILE)",
        HelpName = "PATH",
        Recursive = true,
    };

    public static readonly Option<string?> CertFile = new("--cert-file")
    {
        Description = "Your reader certificate (default: $DAEMONNET_CERT_FILE)",
        HelpName = "PATH",
        Recursive = true,
    };

    public static readonly Option<string?> KeyFile = new("--key-file")
    {
        Description = "Your reader key (default: $DAEMONNET_KEY_FILE)",
        HelpName = "PATH",
        Recursive = true,
    };

    public static readonly Option<string?> TokenFile = new("--token-file")
    {
        Description = "A file holding your bearer token, instead of a certificate (default: $DAEMONNET_TOKEN_FILE)",
        HelpName = "PATH",
        Recursive = true,
    };

    public static readonly Option<bool> Insecure = new("--insecure")
    {
        Description = "Talk plain HTTP/2 to a collector running --insecure (default: $DAEMONNET_INSECURE=1)",
        Recursive = true,
    };

    public static readonly Option<bool> Utc = new("--utc")
    {
        Description = "Show times in UTC instead of local time",
        Recursive = true,
    };

    public static string CollectorUrl(ParseResult parse) => FlagOrEnvironment(parse, Collector, CollectorVariable) ?? DefaultCollector;

    public static bool IsInsecure(ParseResult parse) =>
        parse.GetValue(Insecure) || Environment.GetEnvironmentVariable("DAEMONNET_INSECURE") is "1" or "true";

    public static TlsFiles Tls(ParseResult parse) => new(
        FlagOrEnvironment(parse, CaFile, "DAEMONNET_CA_FILE") ?? "",
        FlagOrEnvironment(parse, CertFile, "DAEMONNET_CERT_FILE") ?? "",
        FlagOrEnvironment(parse, KeyFile, "DAEMONNET_KEY_FILE") ?? "");

    /// <summary>Opens the connection every command uses, or returns null after saying on stderr what is wrong.</summary>
    public static CollectorConnection? Connect(ParseResult parse)
    {
        var tokenFile = FlagOrEnvironment(parse, TokenFile, "DAEMONNET_TOKEN_FILE");
        if (tokenFile is null)
        {
            return CollectorConnection.Open(CollectorUrl(parse), IsInsecure(parse) ? null : Tls(parse), token: null);
        }
        if (IsInsecure(parse))
        {
            Console.Error.WriteLine("daemonnet: a bearer token is sent only over TLS, never to a collector running --insecure: drop --token-file (DAEMONNET_TOKEN_FILE) or --insecure");
            return null;
        }
        if (BearerToken.Read(tokenFile) is not { } token)
        {
            return null;
        }
        var tls = Tls(parse);
        if (tls.CaFile.Length == 0)
        {
            Console.Error.WriteLine("daemonnet: a bearer token goes with --ca-file (DAEMONNET_CA_FILE), the cluster CA that the collector's certificate is verified against");
            return null;
        }
        // The token stands in for the certificate: the collector is still verified against the cluster CA.
        return CollectorConnection.Open(CollectorUrl(parse), tls with { CertFile = "", KeyFile = "" }, token);
    }

    private static string? FlagOrEnvironment(ParseResult parse, Option<string?> option, string variable) =>
        parse.GetValue(option) ?? (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value : null);
}
