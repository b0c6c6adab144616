using DaemonNet.Protos.V1;

namespace DaemonNet.HostAgent.Sources;

/// <summary>A source that began failing (with its error), failed differently, or recovered since the last snapshot.</summary>
public sealed record SourceChange(string Source, string? Error);

/// <summary>
/// Remembers which sources failed in the last snapshot, so that the agent logs a line when a
/// source starts failing, fails with a new error, or recovers: once per change, not once per poll.
/// </summary>
public sealed class SourceHealth
{
    private Dictionary<string, string> failing = new(StringComparer.Ordinal);

    /// <summary>The changes since the last call; <see cref="SourceChange.Error"/> is null for a recovery.</summary>
    public List<SourceChange> Observe(IEnumerable<SourceError> errors)
    {
        var now = errors.ToDictionary(e => e.Source, e => e.Message, StringComparer.Ordinal);
        var changes = now.Where(e => !failing.TryGetValue(e.Key, out var before) || before != e.Value)
            .Select(e => new SourceChange(e.Key, e.Value))
            .Concat(failing.Keys.Where(s => !now.ContainsKey(s)).Select(s => new SourceChange(s, null)))
            .OrderBy(c => c.Source, StringComparer.Ordinal)
            .ToList();
        failing = now;
        return changes;
    }
}
