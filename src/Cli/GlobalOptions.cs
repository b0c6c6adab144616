using System.CommandLine;

namespace DaemonNet.Cli;

/// <summary>Options every command takes.</summary>
internal static class GlobalOptions
{
    public const string DefaultCollector = "http://127.0.0.1:7460";
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

    public static readonly Option<bool> Utc = new("--utc")
    {
        Description = "Show times in UTC instead of local time",
        Recursive = true,
    };

    public static string CollectorUrl(ParseResult parse)
    {
        if (parse.GetValue(Collector) is { } flag)
        {
            return flag;
        }
        var fromEnvironment = Environment.GetEnvironmentVariable(CollectorVariable);
        return string.IsNullOrEmpty(fromEnvironment) ? DefaultCollector : fromEnvironment;
    }
}
