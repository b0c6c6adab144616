namespace DaemonNet.Bench;

/// <summary>A running process's CPU time and memory, from /proc.</summary>
internal static class ProcessStats
{
    /// <summary>utime + stime, fields 14 and 15 of /proc/PID/stat, in clock ticks of 1/100 s.</summary>
    public static double CpuSeconds(int pid)
    {
        var fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (long.Parse(fields[11]) + long.Parse(fields[12])) / 100.0;
    }

    /// <summary>A memory line of /proc/PID/status (VmRSS, VmHWM) in MiB.</summary>
    public static double StatusMiB(int pid, string key) =>
        File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith(key + ":", StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024).Single();
}
