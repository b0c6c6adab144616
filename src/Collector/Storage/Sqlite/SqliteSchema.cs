using Dapper;
using Microsoft.Data.Sqlite;

namespace DaemonNet.Collector.Storage.Sqlite;

/// <summary>
/// The database schema as a list of migrations; <c>PRAGMA user_version</c> counts how many ran.
/// Append new steps, never edit one that has shipped. A fact table, or a column of one, needs no
/// step: the catalogue's declaration makes it (<see cref="FactTables"/>).
/// </summary>
internal static class SqliteSchema
{
    // Every fact table holds intervals: valid_from and valid_to are the collector's clock in Unix
    // milliseconds, valid_to NULL while the fact holds. A binding also keeps last_seen, the last
    // report that showed it, once it has ended. host_silences are the spans in which a host did
    // not report for longer than its silence limit; no fact of that host spans one. Indexes end in valid_to so that "current"
    // lookups (valid_to IS NULL) and "as of" lookups use the same index.
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE hosts (
            id            INTEGER PRIMARY KEY,
            name          TEXT NOT NULL UNIQUE,
            machine_id    TEXT NOT NULL,
            agent_version TEXT NOT NULL,
            kernel        TEXT NOT NULL,
            interval_ms   INTEGER NOT NULL,
            content_hash  TEXT NOT NULL,
            errors        TEXT NOT NULL,
            agent_time    INTEGER,
            first_report  INTEGER NOT NULL,
            last_report   INTEGER NOT NULL
        );
        CREATE TABLE domains (
            id         INTEGER PRIMARY KEY,
            host_id    INTEGER NOT NULL REFERENCES hosts(id),
            uuid       TEXT NOT NULL,
            name       TEXT NOT NULL,
            state      INTEGER NOT NULL,
            persistent INTEGER NOT NULL,
            valid_from INTEGER NOT NULL,
            valid_to   INTEGER
        );
        CREATE INDEX domains_by_host ON domains(host_id, valid_to);
        CREATE INDEX domains_by_name ON domains(name COLLATE NOCASE, valid_to);
        CREATE INDEX domains_by_uuid ON domains(uuid, valid_to);
        CREATE TABLE nics (
            id          INTEGER PRIMARY KEY,
            host_id     INTEGER NOT NULL REFERENCES hosts(id),
            domain_uuid TEXT NOT NULL,
            mac         TEXT NOT NULL,
            kind        INTEGER NOT NULL,
            network     TEXT NOT NULL,
            bridge      TEXT NOT NULL,
            target_dev  TEXT NOT NULL,
            valid_from  INTEGER NOT NULL,
            valid_to    INTEGER
        );
        CREATE INDEX nics_by_host ON nics(host_id, valid_to);
        CREATE INDEX nics_by_mac ON nics(mac, valid_to);
        CREATE INDEX nics_by_domain ON nics(domain_uuid, valid_to);
        CREATE TABLE networks (
            id           INTEGER PRIMARY KEY,
            host_id      INTEGER NOT NULL REFERENCES hosts(id),
            name         TEXT NOT NULL,
            uuid         TEXT NOT NULL,
            bridge       TEXT NOT NULL,
            forward_mode TEXT NOT NULL,
            active       INTEGER NOT NULL,
            addresses    TEXT NOT NULL,
            valid_from   INTEGER NOT NULL,
            valid_to     INTEGER
        );
        CREATE INDEX networks_by_host ON networks(host_id, valid_to);
        CREATE TABLE links (
            id         INTEGER PRIMARY KEY,
            host_id    INTEGER NOT NULL REFERENCES hosts(id),
            name       TEXT NOT NULL,
            kind       TEXT NOT NULL,
            mac        TEXT NOT NULL,
            master     TEXT NOT NULL,
            operstate  TEXT NOT NULL,
            mtu        INTEGER NOT NULL,
            addresses  TEXT NOT NULL,
            valid_from INTEGER NOT NULL,
            valid_to   INTEGER
        );
        CREATE INDEX links_by_host ON links(host_id, valid_to);
        CREATE TABLE bindings (
            id              INTEGER PRIMARY KEY,
            host_id         INTEGER NOT NULL REFERENCES hosts(id),
            mac             TEXT NOT NULL,
            ip              TEXT NOT NULL,
            source          INTEGER NOT NULL,
            device          TEXT NOT NULL,
            neighbour_state INTEGER NOT NULL,
            hostname        TEXT NOT NULL,
            client_id       TEXT NOT NULL,
            lease_expiry    INTEGER,
            valid_from      INTEGER NOT NULL,
            valid_to        INTEGER,
            last_seen       INTEGER
        );
        CREATE INDEX bindings_by_host ON bindings(host_id, source, valid_to);
        CREATE INDEX bindings_by_mac ON bindings(mac, valid_to);
        CREATE INDEX bindings_by_ip ON bindings(ip, valid_to);
        CREATE TABLE host_silences (
            id         INTEGER PRIMARY KEY,
            host_id    INTEGER NOT NULL REFERENCES hosts(id),
            valid_from INTEGER NOT NULL,
            valid_to   INTEGER NOT NULL
        );
        CREATE INDEX host_silences_by_host ON host_silences(host_id, valid_to);
        """,
        // Tunnel endpoints, the interfaces file's stanzas, and traffic. link_counters holds each
        // link's latest counter reading (signed 64-bit: a reading past 2^63 is stored wrapped);
        // link_traffic holds what flowed between two readings, summed into 5-minute and hourly
        // rows as it ages (resolution in seconds, 0 for raw).
        """
        ALTER TABLE links ADD COLUMN tunnel_local TEXT NOT NULL DEFAULT '';
        ALTER TABLE links ADD COLUMN tunnel_remote TEXT NOT NULL DEFAULT '';
        ALTER TABLE links ADD COLUMN tunnel_ttl INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE configured_interfaces (
            id           INTEGER PRIMARY KEY,
            host_id      INTEGER NOT NULL REFERENCES hosts(id),
            name         TEXT NOT NULL,
            family       TEXT NOT NULL,
            method       TEXT NOT NULL,
            auto         INTEGER NOT NULL,
            address      TEXT NOT NULL,
            netmask      TEXT NOT NULL,
            endpoint     TEXT NOT NULL,
            local        TEXT NOT NULL,
            ttl          INTEGER NOT NULL,
            gateway      TEXT NOT NULL,
            mode         TEXT NOT NULL,
            bridge_ports TEXT NOT NULL,
            file         TEXT NOT NULL,
            line         INTEGER NOT NULL,
            valid_from   INTEGER NOT NULL,
            valid_to     INTEGER
        );
        CREATE INDEX configured_interfaces_by_host ON configured_interfaces(host_id, valid_to);
        CREATE TABLE link_counters (
            host_id    INTEGER NOT NULL REFERENCES hosts(id),
            link       TEXT NOT NULL,
            boot_id    TEXT NOT NULL,
            ifindex    INTEGER NOT NULL,
            sampled_at INTEGER NOT NULL,
            rx_bytes   INTEGER NOT NULL,
            tx_bytes   INTEGER NOT NULL,
            rx_packets INTEGER NOT NULL,
            tx_packets INTEGER NOT NULL,
            PRIMARY KEY (host_id, link)
        ) WITHOUT ROWID;
        CREATE TABLE link_traffic (
            id         INTEGER PRIMARY KEY,
            host_id    INTEGER NOT NULL REFERENCES hosts(id),
            link       TEXT NOT NULL,
            resolution INTEGER NOT NULL,
            valid_from INTEGER NOT NULL,
            valid_to   INTEGER NOT NULL,
            rx_bytes   INTEGER NOT NULL,
            tx_bytes   INTEGER NOT NULL,
            rx_packets INTEGER NOT NULL,
            tx_packets INTEGER NOT NULL
        );
        CREATE INDEX link_traffic_by_link ON link_traffic(host_id, link, valid_to);
        CREATE INDEX link_traffic_by_age ON link_traffic(valid_to);
        """,
        """
        ALTER TABLE hosts ADD COLUMN interfaces_configured INTEGER NOT NULL DEFAULT 1;
        """,
        // Alerts: each one raised (its document is the contract's Alert message, without the
        // deliveries and repeats kept beside it), each sink's delivery of it, and the conditions
        // (audit findings, stale hosts) whose start was announced and whose end will be.
        // last_seen is the alert's or its latest repeat's time: the dedup window runs from it.
        """
        CREATE TABLE alerts (
            id        INTEGER PRIMARY KEY,
            rule      TEXT NOT NULL,
            dedup_key TEXT NOT NULL,
            at        INTEGER NOT NULL,
            last_seen INTEGER NOT NULL,
            repeats   INTEGER NOT NULL DEFAULT 0,
            document  BLOB NOT NULL
        );
        CREATE INDEX alerts_by_key ON alerts(dedup_key, last_seen);
        CREATE INDEX alerts_by_time ON alerts(at);
        CREATE TABLE alert_deliveries (
            alert_id     INTEGER NOT NULL REFERENCES alerts(id),
            sink         TEXT NOT NULL,
            state        INTEGER NOT NULL,
            attempts     INTEGER NOT NULL DEFAULT 0,
            last_error   TEXT NOT NULL DEFAULT '',
            delivered_at INTEGER,
            PRIMARY KEY (alert_id, sink)
        );
        CREATE INDEX alert_deliveries_by_state ON alert_deliveries(state, alert_id);
        CREATE TABLE alert_conditions (
            condition_key TEXT PRIMARY KEY,
            since         INTEGER NOT NULL,
            document      BLOB NOT NULL
        );
        """,
        // One row the health check rewrites: a write that succeeds proves the database writable.
        """
        CREATE TABLE health_probe (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            at INTEGER NOT NULL
        );
        """,
        // Names are matched case-blind as lower(name) = lower(@Name), which PostgreSQL runs too
        // (COLLATE NOCASE is SQLite's own). Both fold ASCII letters alike.
        """
        DROP INDEX domains_by_name;
        CREATE INDEX domains_by_name ON domains(lower(name), valid_to);
        """,
        // The alert outbox: a snapshot's changes (JSON, Watching/ChangeEvents), written in the
        // snapshot's own transaction and deleted in the transaction that records the alerts they
        // raise, so that a collector that dies between the two loses no alert. origin is the
        // store instance that wrote the row (InventoryStore.Origin).
        """
        CREATE TABLE alert_outbox (
            id     INTEGER PRIMARY KEY,
            at     INTEGER NOT NULL,
            origin TEXT NOT NULL,
            events BLOB NOT NULL
        );
        """,
        // What members write about their VMs (FactCatalogue.Labels).
        """
        CREATE TABLE vm_labels (
            id          INTEGER PRIMARY KEY,
            host_id     INTEGER NOT NULL REFERENCES hosts(id),
            domain_uuid TEXT NOT NULL,
            title       TEXT NOT NULL,
            description TEXT NOT NULL,
            owner       TEXT NOT NULL,
            tags        TEXT NOT NULL,
            valid_from  INTEGER NOT NULL,
            valid_to    INTEGER
        );
        CREATE INDEX vm_labels_by_host ON vm_labels(host_id, valid_to);
        CREATE INDEX vm_labels_by_domain ON vm_labels(domain_uuid, valid_to);
        """,
        // Whether a condition's start was sent or counted as a repeat (AlertStore, OpenCondition).
        """
        ALTER TABLE alert_conditions ADD COLUMN announced INTEGER NOT NULL DEFAULT 1;
        """,
        // Who asked what (AccessLogStore), kept for Collector:AccessLogRetention.
        """
        CREATE TABLE access_log (
            id          INTEGER PRIMARY KEY,
            at          INTEGER NOT NULL,
            caller      TEXT NOT NULL,
            method      TEXT NOT NULL,
            query       TEXT NOT NULL,
            answers     INTEGER NOT NULL,
            status      TEXT NOT NULL,
            duration_ms REAL NOT NULL
        );
        CREATE INDEX access_log_by_time ON access_log(at);
        """,
    ];

    private static readonly FactTables Facts = new("INTEGER PRIMARY KEY", "TEXT", "INTEGER", openRowsOnly: false);

    public static int Version => Migrations.Length;

    public static void Migrate(SqliteConnection connection)
    {
        var current = connection.ExecuteScalar<long>("PRAGMA user_version");
        if (current == 0)
        {
            // Only possible before the first table exists: lets pruning give space back to the OS.
            connection.Execute("PRAGMA auto_vacuum = INCREMENTAL");
        }
        if (current > Migrations.Length)
        {
            throw new InvalidOperationException(
                $"the database has schema version {current}, newer than this collector's {Migrations.Length}: use a newer daemonnet-collector");
        }
        for (var step = (int)current; step < Migrations.Length; step++)
        {
            using var transaction = connection.BeginTransaction();
            connection.Execute(Migrations[step], transaction: transaction);
            connection.Execute($"PRAGMA user_version = {step + 1}", transaction: transaction);
            transaction.Commit();
        }
        MakeFactTables(connection);
    }

    /// <summary>Makes every fact table whole, as the catalogue declares it.</summary>
    internal static void MakeFactTables(SqliteConnection connection)
    {
        using var transaction = connection.BeginTransaction();
        Facts.MakeAll(
            table => connection.Query<string>("SELECT name FROM pragma_table_info(@Table)", new { Table = table }, transaction).ToHashSet(StringComparer.Ordinal),
            statement => connection.Execute(statement, transaction: transaction));
        transaction.Commit();
    }
}
