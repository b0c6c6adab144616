using System.Diagnostics;

namespace DaemonNet.Tests.Support;

/// <summary>Runs a command to completion and fails loudly, with its output, when it fails.</summary>
public static class Shell
{
    public static string Run(string file, params string[] arguments)
    {
        var (exitCode, output, error) = TryRun(file, arguments);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {exitCode}: {error}{output}");
        }
        return output;
    }

    public static (int ExitCode, string Output, string Error) TryRun(string file, params string[] arguments) =>
        TryRun(TimeSpan.FromSeconds(60), file, arguments);

    /// <summary>As <see cref="TryRun(string, string[])"/>, for a command known to take longer (building packages).</summary>
    public static (int ExitCode, string Output, string Error) TryRun(TimeSpan patience, string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(patience))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish in {patience.TotalSeconds} s");
        }
        return (process.ExitCode, output.Result, error.Result);
    }
}
