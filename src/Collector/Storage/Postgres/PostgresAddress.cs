using System.Globalization;
using Npgsql;

namespace DaemonNet.Collector.Storage.Postgres;

/// <summary>
/// A PostgreSQL URI as libpq writes it, <c>postgresql://user:password@host:port/dbname?param=value</c>,
/// turned into Npgsql's connection settings. The parameters are libpq's names; one Npgsql does not
/// have, or a value it cannot take, is refused with a sentence rather than ignored. What the URI
/// leaves out comes from libpq's environment variables (PGHOST, PGUSER, PGPASSWORD, PGPASSFILE…),
/// as for psql.
/// </summary>
public static class PostgresAddress
{
    public static bool IsOne(string address) =>
        address.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || address.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase);

    private static readonly IReadOnlyDictionary<string, Action<NpgsqlConnectionStringBuilder, string>> Parameters =
        new Dictionary<string, Action<NpgsqlConnectionStringBuilder, string>>(StringComparer.Ordinal)
        {
            ["host"] = (b, v) => b.Host = v,
            ["port"] = (b, v) => b.Port = Number("port", v),
            ["user"] = (b, v) => b.Username = v,
            ["password"] = (b, v) => b.Password = v,
            ["dbname"] = (b, v) => b.Database = v,
            ["passfile"] = (b, v) => b.Passfile = v,
            ["sslmode"] = (b, v) => b.SslMode = SslMode(v),
            ["sslrootcert"] = (b, v) => b.RootCertificate = v,
            ["sslcert"] = (b, v) => b.SslCertificate = v,
            ["sslkey"] = (b, v) => b.SslKey = v,
            ["connect_timeout"] = (b, v) => b.Timeout = Number("connect_timeout", v),
            ["application_name"] = (b, v) => b.ApplicationName = v,
            ["target_session_attrs"] = (b, v) => b.TargetSessionAttributes = v,
        };

    /// <exception cref="FormatException">With what was wrong in the address and what to give instead.</exception>
    public static NpgsqlConnectionStringBuilder Parse(string address)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || !IsOne(address))
        {
            throw new FormatException($"'{Redacted(address)}' is not a PostgreSQL URI: write postgresql://user@host:port/dbname");
        }
        var builder = new NpgsqlConnectionStringBuilder { ApplicationName = "daemonnet-collector" };
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }
        if (uri.Host.Length > 0)
        {
            // A Unix socket's folder is given as ?host=/run/postgresql instead.
            builder.Host = uri.Host.Trim('[', ']');
        }
        if (!uri.IsDefaultPort && uri.Port > 0)
        {
            builder.Port = uri.Port;
        }
        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            builder.Database = database;
        }
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..].Replace('+', ' '));
            if (!Parameters.TryGetValue(name, out var apply))
            {
                throw new FormatException(
                    $"the database URI's parameter '{name}' is not one DaemonNet takes; it takes {string.Join(", ", Parameters.Keys)}");
            }
            apply(builder, value);
        }
        return builder;
    }

    /// <summary>The address with its password replaced, for messages and logs.</summary>
    public static string Redacted(string address)
    {
        var scheme = address.IndexOf("://", StringComparison.Ordinal);
        var at = address.IndexOf('@', StringComparison.Ordinal);
        if (scheme < 0 || at < scheme)
        {
            return address;
        }
        var colon = address.IndexOf(':', scheme + 3);
        return colon >= 0 && colon < at ? address[..(colon + 1)] + "***" + address[at..] : address;
    }

    private static int Number(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new FormatException($"the database URI's {name} '{value}' is not a whole number");

    private static SslMode SslMode(string value) => value switch
    {
        "disable" => Npgsql.SslMode.Disable,
        "allow" => Npgsql.SslMode.Allow,
        "prefer" => Npgsql.SslMode.Prefer,
        "require" => Npgsql.SslMode.Require,
        "verify-ca" => Npgsql.SslMode.VerifyCA,
        "verify-full" => Npgsql.SslMode.VerifyFull,
        _ => throw new FormatException($"the database URI's sslmode '{value}' is not one of disable, allow, prefer, require, verify-ca, verify-full"),
    };
}
