using System.Text;

namespace DaemonNet.Collector.Vendors;

/// <summary>
/// One line of an IEEE registry CSV as ieee-data ships it: "Registry,Assignment,Organization
/// Name,Organization Address", where a field with a comma is quoted and its quotes doubled.
/// </summary>
public static class RegistryLine
{
    public static bool TryRead(string line, out string assignment, out string organization)
    {
        var fields = Fields(line).Take(3).ToList();
        assignment = fields.Count == 3 ? fields[1].Trim() : "";
        organization = fields.Count == 3 ? fields[2].Trim() : "";
        return assignment.Length > 0 && assignment.All(Uri.IsHexDigit) && organization.Length > 0;
    }

    private static IEnumerable<string> Fields(string line)
    {
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"')
            {
                field.Append('"');
                i++;
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                yield return field.ToString();
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }
        yield return field.ToString();
    }
}
