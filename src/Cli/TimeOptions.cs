using System.CommandLine;
using System.CommandLine.Parsing;

namespace DaemonNet.Cli;

/// <summary>Options that take an instant; a time that cannot be read is a usage error that lists the accepted forms.</summary>
internal static class TimeOptions
{
    public static Option<DateTimeOffset?> Create(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "TIME",
        CustomParser = Parse,
    };

    private static DateTimeOffset? Parse(ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (TimeExpression.TryParse(text, DateTimeOffset.Now, TimeZoneInfo.Local, out var instant))
        {
            return instant;
        }
        result.AddError($"'{text}' is not a time: {TimeExpression.AcceptedForms}.");
        return null;
    }
}
