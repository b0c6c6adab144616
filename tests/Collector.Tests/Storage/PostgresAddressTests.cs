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

    [Fact]
    public void Parse_SocketFolderAsHostParameter_IsTheHost()
    {
        var settings = PostgresAddress.Parse("postgresql:///inventory?host=/run/postgresql&user=daemonnet");

        Assert.Equal(("/run/postgresql", "daemonnet", "inventory", NpgsqlConnection.DefaultPort), (settings.Host, settings.Username, settings.Database, settings.Port));
    }

    [Theory]
    [InlineData("postgresql://db.example/inventory?sslmode=sometimes", "sslmode 'sometimes' is not one of disable, allow, prefer, require, verify-ca, verify-full")]
    [InlineData("postgresql://db.example/inventory?port=five", "port 'five' is not a whole number")]
    [InlineData("postgresql://db.example/inventory?options=-c%20x", "parameter 'options' is not one DaemonNet takes; it takes host, port")]
    [InlineData("postgresql://db.example:notaport/inventory", "is not a PostgreSQL URI: write postgresql://user@host:port/dbname")]
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
