using System.Globalization;
using System.Text.RegularExpressions;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;

namespace DaemonNet.HostAgent.Sources.Interfaces;

/// <summary>
/// Reads ifupdown's /etc/network/interfaces as interfaces(5) describes it: iface stanzas with their
/// options, auto and allow-* lines, backslash continuation, comments on lines of their own, and
/// source / source-directory, whose relative paths start at the directory of the file that names
/// them. Only the options DaemonNet reports are kept.
/// </summary>
public static partial class InterfacesFile
{
    private const int MaxDepth = 16;

    public static List<ConfiguredInterface> Read(string path)
    {
        var reader = new Reader();
        reader.ReadFile(Path.GetFullPath(path), 0);
        foreach (var stanza in reader.Stanzas)
        {
            stanza.Auto = reader.AutoNames.Contains(stanza.Name);
        }
        return reader.Stanzas;
    }

    private sealed class Reader
    {
        private readonly HashSet<string> reading = new(StringComparer.Ordinal);

        public List<ConfiguredInterface> Stanzas { get; } = [];

        public HashSet<string> AutoNames { get; } = new(StringComparer.Ordinal);

        public void ReadFile(string path, int depth)
        {
            if (depth > MaxDepth || !reading.Add(path))
            {
                throw new FormatException($"{path}: sourced again from within itself; remove the loop of source lines");
            }
            ConfiguredInterface? current = null;
            foreach (var (number, line) in LogicalLines(path))
            {
                var words = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                var keyword = words[0];
                var rest = words.Skip(1).ToArray();
                switch (keyword)
                {
                    case "iface":
                        current = rest.Length >= 3
                            ? new ConfiguredInterface { Name = rest[0], Family = rest[1], Method = rest[2], File = path, Line = (uint)number }
                            : throw new FormatException($"{path}:{number}: \"iface\" needs a name, a family and a method, e.g. iface he-ipv6 inet6 v4tunnel");
                        Stanzas.Add(current);
                        break;
                    case "auto":
                    case var allow when allow.StartsWith("allow-", StringComparison.Ordinal):
                        AutoNames.UnionWith(rest);
                        current = null;
                        break;
                    case "source":
                        foreach (var pattern in rest)
                        {
                            foreach (var file in Expand(Resolve(path, pattern)))
                            {
                                ReadFile(file, depth + 1);
                            }
                        }
                        current = null;
                        break;
                    case "source-directory":
                        foreach (var directory in rest.Select(d => Resolve(path, d)).Where(Directory.Exists))
                        {
                            foreach (var file in Directory.GetFiles(directory).Where(f => RunPartsName().IsMatch(Path.GetFileName(f))).Order(StringComparer.Ordinal))
                            {
                                ReadFile(file, depth + 1);
                            }
                        }
                        current = null;
                        break;
                    case "mapping":
                    case "rename":
                    case "no-auto-down":
                    case "no-scripts":
                        current = null;
                        break;
                    default:
                        if (current is not null)
                        {
                            Apply(current, keyword.Replace('-', '_'), rest, path, number);
                        }
                        break;
                }
            }
            reading.Remove(path);
        }
    }

    private static void Apply(ConfiguredInterface stanza, string option, string[] values, string path, int number)
    {
        var value = values.Length > 0 ? values[0] : "";
        switch (option)
        {
            case "address":
                stanza.Address = value;
                break;
            case "netmask":
                stanza.Netmask = value;
                break;
            case "endpoint":
                stanza.Endpoint = value;
                break;
            case "local":
                stanza.Local = value;
                break;
            case "gateway":
                stanza.Gateway = value;
                break;
            case "mode":
                stanza.Mode = value;
                break;
            case "ttl":
                stanza.Ttl = uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ttl) && ttl <= 255
                    ? ttl
                    : throw new FormatException($"{path}:{number}: ttl '{value}' is not a number from 0 to 255");
                break;
            case "bridge_ports":
                stanza.BridgePorts.Add(values.Where(v => v != "none"));
                break;
        }
    }

    // A line ending in a backslash continues on the next; "#" starts a comment only at the start of a line.
    private static IEnumerable<(int Number, string Text)> LogicalLines(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SourceException($"cannot read {path}: {e.Message}", e);
        }
        var pending = "";
        var start = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (pending.Length == 0)
            {
                start = i + 1;
                if (line.TrimStart().StartsWith('#'))
                {
                    continue;
                }
            }
            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }
            var text = (pending + line).Trim();
            pending = "";
            if (text.Length > 0)
            {
                yield return (start, text);
            }
        }
    }

    private static string Resolve(string fromFile, string path) =>
        Path.IsPathRooted(path) ? path : Path.Combine(Path.GetDirectoryName(fromFile) ?? "/", path);

    // Shell wildcards in the file name part, as ifupdown's wordexp allows: interfaces.d/*.
    private static IEnumerable<string> Expand(string pattern)
    {
        var name = Path.GetFileName(pattern);
        if (!name.Contains('*') && !name.Contains('?'))
        {
            return File.Exists(pattern) ? [pattern] : throw new SourceException($"{pattern} is sourced but does not exist");
        }
        var directory = Path.GetDirectoryName(pattern) ?? "/";
        return Directory.Exists(directory) ? Directory.GetFiles(directory, name).Order(StringComparer.Ordinal) : [];
    }

    // source-directory reads the files run-parts would run: letters, digits, "_" and "-" only.
    [GeneratedRegex("^[A-Za-z0-9_-]+$", RegexOptions.None, RegexTimeout.Milliseconds)]
    private static partial Regex RunPartsName();
}
