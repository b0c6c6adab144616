using DaemonNet.Collector.Storage.Postgres;
using Npgsql;

namespace DaemonNet.Collector.Tests.Storage;

public class PostgresAddressTests
{
    [Theory]
    [InlineData("postgresql://db.example:5433/inventory")]
    [InlineData("postgres://db.example:5433/inventory")]
    [InlineData("POSTGRESQL://db.example:5433/inventory")]
    public void IsOne_PostgresUris_AreAndPathsAreNot(string address)
    {
        Assert.True(PostgresAddress.IsOne(address));
        Assert.False(PostgresAddress.IsOne("/var/lib/daemonnet/collector.db"));
        Assert.False(PostgresAddress.IsOne("postgresql.db"));
    }

    [Fact]
    public void Parse_FullUri_GivesEachPart()
    {
        var settings = PostgresAddress.Parse("postgresql://daemonnet:s%40cret@db.example:5433/inventory?sslmode=verify-full&sslrootcert=/etc/daemonnet/pg-ca.pem&connect_timeout=7");

        Assert.Equal(("daemonnet", "s@cret", "db.example", 5433, "inventory"), (settings.Username, settings.Password, settings.Host, settings.Port, settings.Database));
        Assert.Equal((SslMode.VerifyFull, "/etc/daemonnet/pg-ca.pem", 7), (settings.SslMode, settings.RootCertificate, settings.Timeout));
        Assert.Equal("daemonnet-collector", settings.ApplicationName);
    }

    private static readonly Func<string, string?> NoEnvironment = _ => null;

    [Fact]
    public void Parse_SocketFolderAsHostParameter_IsTheHost()
    {
        var settings = PostgresAddress.Parse("postgresql:///inventory?host=/run/postgresql&user=daemonnet", NoEnvironment);

        Assert.Equal(("/run/postgresql", "daemonnet", "inventory", NpgsqlConnection.DefaultPort), (settings.Host, settings.Username, settings.Database, settings.Port));
    }

    // Issue 25, fault 2: each of these was refused, or ended the collector with a stack trace.
    [Theory]
    [InlineData("postgresql://postgres@/dn?host=/run/postgresql", "/run/postgresql", 5432, "postgres", "dn")]
    [InlineData("postgresql://%2Frun%2Fpostgresql/dn", "/run/postgresql", 5432, "root", "dn")]
    [InlineData("postgresql://%2Frun%2Fpostgresql:5433/dn", "/run/postgresql", 5433, "root", "dn")]
    [InlineData("postgresql:///dn", PostgresAddress.DefaultSocketFolder, 5432, "root", "dn")]
    [InlineData("postgresql://", PostgresAddress.DefaultSocketFolder, 5432, "root", "root")]
    [InlineData("postgres://alice@db.example", "db.example", 5432, "alice", "alice")]
    [InlineData("postgresql://[2001:db8::5]:5433/dn", "2001:db8::5", 5433, "root", "dn")]
    [InlineData("postgresql://db.example/dn?host=other.example&port=6000&dbname=inv", "other.example", 6000, "root", "inv")]
    public void Parse_EveryFormLibpqTakes_GivesHostPortUserAndDatabase(string address, string host, int port, string user, string database)
    {
        var settings = PostgresAddress.Parse(address, NoEnvironment);

        Assert.Equal((host, port, user == "root" ? Environment.UserName : user, database == "root" ? Environment.UserName : database),
            (settings.Host, settings.Port, settings.Username, settings.Database));
    }

    [Fact]
    public void Parse_SeveralHosts_EachWithItsPort()
    {
        var settings = PostgresAddress.Parse("postgresql://daemonnet@db1.example:5433,db2.example:5434/inventory?target_session_attrs=read-write", NoEnvironment);

        Assert.Equal(("db1.example:5433,db2.example:5434", "read-write"), (settings.Host, settings.TargetSessionAttributes));
    }

    [Fact]
    public void Parse_WhatTheUriLeavesOut_ComesFromLibpqsEnvironment()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal) { ["PGHOST"] = "/tmp/pg", ["PGPORT"] = "5499", ["PGUSER"] = "collector", ["PGPASSWORD"] = "pw", ["PGDATABASE"] = "env" };

        var settings = PostgresAddress.Parse("postgresql:///dn", environment.GetValueOrDefault);
        var overridden = PostgresAddress.Parse("postgresql://alice@db.example:5000/dn", environment.GetValueOrDefault);

        Assert.Equal(("/tmp/pg", 5499, "collector", "pw", "dn"), (settings.Host, settings.Port, settings.Username, settings.Password, settings.Database));
        Assert.Equal(("db.example", 5000, "alice", "dn"), (overridden.Host, overridden.Port, overridden.Username, overridden.Database));
    }

    [Theory]
    [InlineData("postgresql://db.example/inventory?sslmode=sometimes", "sslmode 'sometimes' is not one of disable, allow, prefer, require, verify-ca, verify-full")]
    [InlineData("postgresql://db.example/inventory?port=five", "port 'five' is not a whole number")]
    [InlineData("postgresql://db.example/inventory?options=-c%20x", "parameter 'options' is not one DaemonNet takes; it takes host, port")]
    [InlineData("postgresql://db.example:notaport/inventory", "is not a PostgreSQL URI: the port 'notaport' is not a whole number; write postgresql://user@host:port/dbname")]
    [InlineData("postgresql://%zz/inventory", "'%zz' is not a percent-encoded byte")]
    [InlineData("postgresql://[2001:db8::5/inventory", "has no closing ]")]
    [InlineData("mysql://db.example/inventory", "does not start with postgresql:// or postgres://")]
    public void Parse_WhatNpgsqlCannotTake_IsRefusedWithWhatToWrite(string address, string expected)
    {
        var error = Assert.Throws<FormatException>(() => PostgresAddress.Parse(address));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Redacted_HidesThePasswordOnly()
    {
        Assert.Equal("postgresql://daemonnet:***@db.example/inventory", PostgresAddress.Redacted("postgresql://daemonnet:secret@db.example/inventory"));
        Assert.Equal("postgresql://daemonnet@db.example/inventory", PostgresAddress.Redacted("postgresql://daemonnet@db.example/inventory"));
    }
}
