using System.Globalization;
using System.Text;
using Npgsql;

namespace DaemonNet.Collector.Storage.Postgres;

/// <summary>
/// A PostgreSQL URI in every form libpq (and so psql) takes, turned into Npgsql's connection
/// settings: <c>postgresql://[user[:password]@][host[:port][,host[:port]…]][/dbname][?param=value&amp;…]</c>,
/// <c>postgres://</c> alike. A host is a name, an address (<c>[::1]</c> for IPv6), or a Unix
/// socket's folder, percent-encoded in the host part (<c>postgresql://%2Frun%2Fpostgresql/dn</c>)
/// or given as <c>?host=/run/postgresql</c>. What the URI leaves out comes, as for psql, from
/// libpq's environment variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGPASSFILE,
/// PGSSLMODE…) and then from libpq's defaults: Debian's socket folder <see cref="DefaultSocketFolder"/>,
/// port 5432, the operating system's user name, and a database named like the user. So
/// <c>postgresql:///dn</c> reaches a local server over its socket with peer authentication, as
/// <c>psql dn</c> does. A parameter Npgsql has no equivalent for, or a value it cannot take, is
/// refused with a sentence rather than ignored.
/// </summary>
public static class PostgresAddress
{
    /// <summary>Where Debian's libpq looks for the server's socket when no host is given.</summary>
    public const string DefaultSocketFolder = "/var/run/postgresql";

    private static readonly string[] Schemes = ["postgresql://", "postgres://"];

    public static bool IsOne(string address) => Schemes.Any(s => address.StartsWith(s, StringComparison.OrdinalIgnoreCase));

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

    /// <summary>libpq's environment variables, by the parameter each stands for.</summary>
    private static readonly (string Variable, string Parameter)[] Environment =
    [
        ("PGHOST", "host"), ("PGPORT", "port"), ("PGUSER", "user"), ("PGPASSWORD", "password"), ("PGDATABASE", "dbname"),
        ("PGPASSFILE", "passfile"), ("PGSSLMODE", "sslmode"), ("PGSSLROOTCERT", "sslrootcert"), ("PGSSLCERT", "sslcert"),
        ("PGSSLKEY", "sslkey"), ("PGCONNECT_TIMEOUT", "connect_timeout"), ("PGAPPNAME", "application_name"),
        ("PGTARGETSESSIONATTRS", "target_session_attrs"),
    ];

    /// <summary>Parses an address with the process's own environment for what it leaves out.</summary>
    /// <exception cref="FormatException">With what was wrong in the address and what to give instead.</exception>
    public static NpgsqlConnectionStringBuilder Parse(string address) => Parse(address, System.Environment.GetEnvironmentVariable);

    /// <param name="environment">libpq's environment variables by name (the process's own, or a test's).</param>
    /// <exception cref="FormatException">With what was wrong in the address and what to give instead.</exception>
    public static NpgsqlConnectionStringBuilder Parse(string address, Func<string, string?> environment)
    {
        var scheme = Schemes.FirstOrDefault(s => address.StartsWith(s, StringComparison.OrdinalIgnoreCase))
            ?? throw Refused(address, "it does not start with postgresql:// or postgres://");
        var rest = address[scheme.Length..];
        var query = "";
        if (rest.IndexOf('?', StringComparison.Ordinal) is var mark and >= 0)
        {
            query = rest[(mark + 1)..];
            rest = rest[..mark];
        }
        var database = "";
        if (rest.IndexOf('/', StringComparison.Ordinal) is var slash and >= 0)
        {
            database = Decode(address, rest[(slash + 1)..]);
            rest = rest[..slash];
        }
        var given = new Dictionary<string, string>(StringComparer.Ordinal);
        if (rest.LastIndexOf('@') is var at and >= 0)
        {
            var user = rest[..at];
            var colon = user.IndexOf(':', StringComparison.Ordinal);
            Put(given, "user", Decode(address, colon < 0 ? user : user[..colon]));
            if (colon >= 0)
            {
                given["password"] = Decode(address, user[(colon + 1)..]);
            }
            rest = rest[(at + 1)..];
        }
        if (rest.Length > 0)
        {
            var hosts = rest.Split(',').Select(spec => HostAndPort(address, spec)).ToList();
            Put(given, "host", string.Join(',', hosts.Select(h => h.Host)));
            // One port for every host, or each host with its own.
            if (hosts.Select(h => h.Port).Distinct(StringComparer.Ordinal).ToList() is [var port])
            {
                Put(given, "port", port);
            }
            else
            {
                given["host"] = string.Join(',', hosts.Select(h => h.Port.Length == 0 ? h.Host : $"{h.Host}:{h.Port}"));
            }
        }
        Put(given, "dbname", database);
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Decode(address, equals < 0 ? pair : pair[..equals]);
            if (!Parameters.ContainsKey(name))
            {
                throw new FormatException(
                    $"the database URI's parameter '{name}' is not one DaemonNet takes; it takes {string.Join(", ", Parameters.Keys)}");
            }
            // Parameters win over the host and database parts, as in libpq.
            given[name] = equals < 0 ? "" : Decode(address, pair[(equals + 1)..]);
        }
        foreach (var (variable, parameter) in Environment)
        {
            if (!given.ContainsKey(parameter) && environment(variable) is { Length: > 0 } value)
            {
                given[parameter] = value;
            }
        }
        var builder = new NpgsqlConnectionStringBuilder { ApplicationName = "daemonnet-collector" };
        foreach (var (name, value) in given)
        {
            Parameters[name](builder, value);
        }
        builder.Host ??= DefaultSocketFolder;
        builder.Username ??= System.Environment.UserName;
        builder.Database ??= builder.Username;
        return builder;
    }

    /// <summary>A value the URI gave, unless it was empty (an empty part means "not given" in libpq).</summary>
    private static void Put(Dictionary<string, string> given, string name, string value)
    {
        if (value.Length > 0)
        {
            given[name] = value;
        }
    }

    /// <summary>One host of the host part: a name, an address, [IPv6] or a percent-encoded socket folder, with its port if given.</summary>
    private static (string Host, string Port) HostAndPort(string address, string spec)
    {
        string host, port = "";
        if (spec.StartsWith('['))
        {
            var close = spec.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw Refused(address, $"the IPv6 address in '{spec}' has no closing ]");
            }
            host = spec[1..close];
            var after = spec[(close + 1)..];
            if (after.Length > 0)
            {
                port = after.StartsWith(':') ? after[1..] : throw Refused(address, $"'{after}' after [{host}] is not :port");
            }
        }
        else
        {
            var colon = spec.LastIndexOf(':');
            host = Decode(address, colon < 0 ? spec : spec[..colon]);
            port = colon < 0 ? "" : spec[(colon + 1)..];
        }
        if (port.Length > 0 && !int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            throw Refused(address, $"the port '{port}' is not a whole number");
        }
        return (host, port);
    }

    private static string Decode(string address, string part)
    {
        var bytes = new List<byte>(part.Length);
        for (var i = 0; i < part.Length; i++)
        {
            if (part[i] != '%')
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(part[i].ToString()));
                continue;
            }
            if (i + 2 >= part.Length || !byte.TryParse(part.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
            {
                throw Refused(address, $"'{part[i..Math.Min(part.Length, i + 3)]}' is not a percent-encoded byte (write %2F for /, %40 for @)");
            }
            bytes.Add(b);
            i += 2;
        }
        return Encoding.UTF8.GetString([.. bytes]);
    }

    private static FormatException Refused(string address, string why) =>
        new($"'{Redacted(address)}' is not a PostgreSQL URI: {why}; write postgresql://user@host:port/dbname, or postgresql:///dbname?host=/run/postgresql for a local server's socket");

    /// <summary>The address with its password replaced, for messages and logs.</summary>
    public static string Redacted(string address)
    {
        var scheme = address.IndexOf("://", StringComparison.Ordinal);
        var at = address.LastIndexOf('@');
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
