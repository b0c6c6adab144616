namespace DaemonNet.Bench;

/// <summary>A running process's CPU time and memory, from /proc.</summary>
internal static class ProcessStats
{
    /// <summary>utime + stime, fields 14 and 15 of /proc/PID/stat, in clock ticks of 1/100 s.</summary>
    public static double CpuSeconds(int pid) => StatTicks(pid, 11, 12) / 100.0;

    /// <summary>cutime + cstime, fields 16 and 17: the CPU time of the children the process has waited for (the agent's <c>ip</c> runs).</summary>
    public static double ChildrenCpuSeconds(int pid) => StatTicks(pid, 13, 14) / 100.0;

    private static long StatTicks(int pid, int first, int second)
    {
        var fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return long.Parse(fields[first], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[second], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A memory line of /proc/PID/status (VmRSS, VmHWM) in MiB.</summary>
    public static double StatusMiB(int pid, string key) =>
        File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith(key + ":", StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024).Single();
}
