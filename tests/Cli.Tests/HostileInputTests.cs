using CsCheck;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;

namespace DaemonNet.Cli.Tests;

/// <summary>Whatever an admin types, time and duration parsing answer yes or no; they never throw.</summary>
public class HostileInputTests
{
    private static readonly string[] Units = ["s", "m", "h", "d", "ms", "w", ""];

    private static readonly Gen<string> Typed = Gen.OneOf(
        Gen.String,
        Gen.String[Gen.Char["0123456789-:T +Zzsmhdago."], 0, 30],
        Gen.Select(Gen.Int[0, 99999], Gen.Int[0, Units.Length - 1]).Select((n, unit) => $"{n}{Units[unit]} ago"));

    [Fact]
    public void TimeExpression_AnyText_NeverThrows()
    {
        var now = DateTimeOffset.Parse("2026-11-28T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        Typed.Sample(text => { _ = TimeExpression.TryParse(text, now, TimeZoneInfo.Utc, out _); }, iter: 20_000);
    }

    [Fact]
    public void DurationText_AnyText_NeverThrows()
    {
        Typed.Sample(text => { _ = DurationText.TryParse(text, out _); }, iter: 20_000);
    }
}
