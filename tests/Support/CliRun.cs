namespace DaemonNet.Tests.Support;

/// <summary>Runs the daemonnet CLI as a process, the way an admin does.</summary>
public static class CliRun
{
    public static (int ExitCode, string Output, string Error) Daemonnet(params string[] arguments) =>
        Shell.TryRun("dotnet", [Programs.Cli, .. arguments]);
}
