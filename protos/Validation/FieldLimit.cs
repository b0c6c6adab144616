namespace DaemonNet.Protos.Validation;

/// <summary>What a string field of the contract must look like, beyond its length.</summary>
public enum TextFormat
{
    /// <summary>Any text without control characters (they would rewrite an admin's terminal).</summary>
    Line,
    /// <summary>Letters, digits, '.', '-' and '_', starting with a letter or digit (<see cref="HostNames"/>).</summary>
    HostName,
    /// <summary>52:54:00:ab:cd:ef, exactly so.</summary>
    Mac,
    /// <summary>A MAC address in any common spelling (colons or dashes, either case): input typed by people.</summary>
    MacAnySpelling,
    /// <summary>An IPv4 or IPv6 address in canonical form.</summary>
    Ip,
    /// <summary>An IPv4 or IPv6 address in any spelling: configuration the agent passes on as written.</summary>
    Address,
    /// <summary>An address in any spelling with its prefix length: 192.168.122.1/24.</summary>
    Cidr,
    /// <summary>A uuid as libvirt writes it: 8-4-4-4-12 hex digits.</summary>
    Uuid,
}

/// <summary>
/// The bound of one field of the contract, by its proto name (<c>Nic.mac</c>). Which properties
/// matter depends on the field's type: counts for repeated fields, length and format for strings,
/// a range for numbers and durations. Timestamps and enums need no settings: every timestamp must
/// lie in <see cref="WireLimits.EarliestTime"/>..<see cref="WireLimits.LatestTime"/>, every enum
/// value must be one the contract defines.
/// </summary>
public sealed record FieldLimit(string Field)
{
    /// <summary>For repeated fields: how many entries at most.</summary>
    public int MaxCount { get; init; }

    /// <summary>For repeated messages: a field whose value must differ between entries.</summary>
    public string? UniqueBy { get; init; }

    /// <summary>For strings (and each entry of a repeated string): how many characters at most.</summary>
    public int MaxLength { get; init; }

    public TextFormat Format { get; init; } = TextFormat.Line;

    /// <summary>For strings: whether the empty string is allowed.</summary>
    public bool MayBeEmpty { get; init; } = true;

    /// <summary>For integers: the inclusive range.</summary>
    public ulong Min { get; init; }

    public ulong Max { get; init; } = ulong.MaxValue;

    /// <summary>For durations: the inclusive range.</summary>
    public TimeSpan? ShortestSpan { get; init; }

    public TimeSpan? LongestSpan { get; init; }
}
