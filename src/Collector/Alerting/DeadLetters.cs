using System.Text.Json;
using DaemonNet.Collector.Alerting.Sinks;

namespace DaemonNet.Collector.Alerting;

/// <summary>
/// The dead-letter log: one JSON line per delivery given up (the sink, why, and the alert as its
/// webhook document), so that nothing is dropped without a trace an admin can read or replay.
/// </summary>
public sealed class DeadLetters(string path)
{
    private readonly Lock gate = new();

    public string Path { get; } = path;

    public void Write(string sink, string reason, Alert alert, DateTimeOffset at)
    {
        var line = JsonSerializer.Serialize(new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["at"] = at.ToString("O"),
            ["sink"] = sink,
            ["reason"] = reason,
            ["alert"] = JsonDocument.Parse(AlertText.Json(alert)).RootElement,
        });
        lock (gate)
        {
            using var file = new FileStream(Path, new FileStreamOptions
            {
                Mode = FileMode.Append, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
            using var writer = new StreamWriter(file);
            writer.WriteLine(line);
        }
    }
}
