namespace DaemonNet.Cli;

/// <summary>The CLI's exit codes, for scripts. Documented in docs/CLI.md.</summary>
internal static class ExitCodes
{
    public const int Found = 0;
    public const int NothingMatched = 1;

    /// <summary><c>daemonnet audit</c>: a finding reached the threshold (0 means none did).</summary>
    public const int FindingsAtThreshold = 1;
    public const int UsageError = 2;
    public const int CollectorUnreachable = 3;

    /// <summary>The collector answered, but refused this caller: no certificate or token, one revoked or expired, or a role that may not ask.</summary>
    public const int PermissionDenied = 4;

    /// <summary><c>daemonnet alerts test</c>: the sink did not take the test alert.</summary>
    public const int AlertNotDelivered = 5;
}
