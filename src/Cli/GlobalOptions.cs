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
    public static CollectorConnection? Connect(ParseResult parse) =>
        CollectorConnection.Open(CollectorUrl(parse), IsInsecure(parse) ? null : Tls(parse));

    private static string? FlagOrEnvironment(ParseResult parse, Option<string?> option, string variable) =>
        parse.GetValue(option) ?? (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value : null);
}
