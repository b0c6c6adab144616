using System.Collections.Concurrent;
using System.Diagnostics;

namespace DaemonNet.Tests.Support;

/// <summary>
/// One of the project's programs running as a real process, optionally inside a network
/// namespace (<c>ip netns exec</c>). Its output is kept for assertions and failure messages;
/// dispose kills it.
/// </summary>
public sealed class RunningProgram : IDisposable
{
    private readonly Process process;
    private readonly ConcurrentQueue<string> lines = new();

    private RunningProgram(Process process)
    {
        this.process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Output => string.Join('\n', lines);

    public bool HasExited => process.HasExited;

    public int ProcessId => process.Id;

    /// <summary>Waits for the program to end by itself and returns its exit code; fails with its output otherwise.</summary>
    public async Task<int> ExitCodeAsync(TimeSpan timeout)
    {
        using var patience = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(patience.Token);
        }
        catch (OperationCanceledException e)
        {
            throw new TimeoutException($"the program did not end within {timeout.TotalSeconds} s; output:\n{Output}", e);
        }

        // The exit is known before the last output lines are: WaitForExit without a timeout drains them.
        await process.WaitForExitAsync();
        return process.ExitCode;
    }

    /// <param name="program">A built .dll, run by <c>dotnet</c>, or a native executable (a NativeAOT publish).</param>
    /// <param name="environment">Variables to set for the program, besides those it inherits.</param>
    public static RunningProgram Start(string program, IEnumerable<string> arguments, NetworkNamespace? inNamespace = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        string[] command = [.. inNamespace is null ? [] : new[] { "ip", "netns", "exec", inNamespace.Name }, .. program.EndsWith(".dll", StringComparison.Ordinal) ? ["dotnet", program] : new[] { program }];
        var start = new ProcessStartInfo(command[0])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        // A program a test kills cannot remove its diagnostics sockets and pipes from /tmp; no test attaches to them.
        start.Environment["DOTNET_EnableDiagnostics"] = "0";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>(StringComparer.Ordinal))
        {
            start.Environment[name] = value;
        }
        return new RunningProgram(Process.Start(start)!);
    }

    /// <summary>Waits until a line of output contains the text; fails with the whole output otherwise.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!lines.Any(l => l.Contains(text, StringComparison.Ordinal)))
        {
            if (DateTime.UtcNow > deadline || process.HasExited)
            {
                throw new TimeoutException($"'{text}' did not appear within {timeout.TotalSeconds} s; output:\n{Output}");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>Freezes the program (SIGSTOP), as a debugger or an overloaded machine would: its sockets stay open, nothing is read.</summary>
    public void Pause() => Shell.Run("kill", "-STOP", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Lets a paused program run on (SIGCONT).</summary>
    public void Resume() => Shell.Run("kill", "-CONT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public void Kill()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
    }

    public void Dispose()
    {
        Kill();
        process.Dispose();
    }
}
