using System.Collections.Frozen;
using System.Globalization;

namespace DaemonNet.Collector.Vendors;

/// <summary>
/// Who made a NIC, from its MAC and the IEEE registries Debian's ieee-data package installs:
/// MA-S and IAB (36-bit prefixes), MA-M (28) and MA-L (24), longest first. QEMU's 52:54:00 is a
/// virtual NIC, and any other locally administered MAC is random rather than a vendor's. The
/// files are read again when the package updates them.
/// </summary>
public sealed class MacVendors(string folder, TimeProvider time)
{
    public const string DefaultFolder = "/usr/share/ieee-data";

    public const string QemuVirtualNic = "QEMU/KVM virtual NIC";

    public const string LocallyAdministered = "locally administered (random) MAC";

    /// <summary>Each registry's file and the length of its prefixes in hex digits.</summary>
    private static readonly (string File, int Digits)[] Registries = [("oui36.csv", 9), ("iab.csv", 9), ("mam.csv", 7), ("oui.csv", 6)];

    /// <summary>How often a lookup looks whether the package has updated the files.</summary>
    private static readonly TimeSpan RecheckEvery = TimeSpan.FromMinutes(1);

    private readonly Lock gate = new();
    private Table table = Table.Empty;
    private DateTimeOffset checkedAt = DateTimeOffset.MinValue;

    /// <summary>How many assignments are loaded; 0 when ieee-data is not installed.</summary>
    public int Count => Current().Names.Count;

    /// <summary>The vendor, "QEMU/KVM virtual NIC", "locally administered (random) MAC", or "" when no registry knows the prefix.</summary>
    public string Describe(string mac)
    {
        var hex = string.Concat(mac.Where(Uri.IsHexDigit)).ToUpperInvariant();
        if (hex.Length != 12)
        {
            return "";
        }
        if (hex.StartsWith("525400", StringComparison.Ordinal))
        {
            return QemuVirtualNic;
        }
        if ((byte.Parse(hex.AsSpan(0, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture) & 0x02) != 0)
        {
            return LocallyAdministered;
        }
        var names = Current().Names;
        foreach (var digits in (int[])[9, 7, 6])
        {
            if (names.TryGetValue(hex[..digits], out var name))
            {
                return name;
            }
        }
        return "";
    }

    private Table Current()
    {
        lock (gate)
        {
            var now = time.GetUtcNow();
            if (now - checkedAt >= RecheckEvery)
            {
                checkedAt = now;
                var stamp = Stamp();
                if (stamp != table.Stamp)
                {
                    table = Load(stamp);
                }
            }
            return table;
        }
    }

    // The files' sizes and times: a changed stamp means the package changed them.
    private string Stamp() => string.Join("|", Registries.Select(r => new FileInfo(Path.Combine(folder, r.File)))
        .Select(f => f.Exists ? $"{f.Length}@{f.LastWriteTimeUtc.Ticks}" : "-"));

    private Table Load(string stamp)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (file, digits) in Registries)
        {
            var path = Path.Combine(folder, file);
            if (!File.Exists(path))
            {
                continue;
            }
            foreach (var line in File.ReadLines(path).Skip(1))
            {
                if (RegistryLine.TryRead(line, out var assignment, out var organization) && assignment.Length == digits)
                {
                    names.TryAdd(assignment.ToUpperInvariant(), organization);
                }
            }
        }
        return new Table(stamp, names.ToFrozenDictionary(StringComparer.Ordinal));
    }

    private sealed record Table(string Stamp, FrozenDictionary<string, string> Names)
    {
        public static readonly Table Empty = new("", FrozenDictionary<string, string>.Empty);
    }
}
