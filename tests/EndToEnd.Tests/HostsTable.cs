using System.Text.RegularExpressions;

namespace DaemonNet.EndToEnd.Tests;

/// <summary>The rows of `daemonnet hosts` that the end-to-end tests check.</summary>
internal static class HostsTable
{
    /// <summary>
    /// Asserts a row: the host, agent 0.1.0, a report seconds ago, its VM count and status. The
    /// CLOCK column may say "ok" or an offset such as "-1 s": a busy collector reads a report a
    /// second or more after the agent stamped it. On failure the whole table is shown.
    /// </summary>
    public static void AssertRow(string output, string host, int vms, string status) =>
        Assert.True(Regex.IsMatch(output, $@"{host}\s+0\.1\.0\s+\d+ s ago\s+(?:ok|[+-]\d+ \w+)\s+{vms}\s+{status}"),
            $"no row for {host} with {vms} VMs, {status}, in:\n{output}");
}
