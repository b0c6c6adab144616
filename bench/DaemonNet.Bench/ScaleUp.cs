using Dapper;
using Microsoft.Data.Sqlite;

namespace DaemonNet.Bench;

/// <summary>
/// Grows a history database by copies: each copy adds every host of the source under a new name,
/// with all its intervals, its VMs renamed and given new uuids and MACs, and its public and LAN
/// addresses moved to ranges of their own. The NAT ranges (192.168.122–125.x) stay as they are,
/// as on real libvirt hosts, so an address lookup there matches ever more VMs. This reaches row
/// counts that simulating the churn would take hours to build; what it does not change is the
/// shape of each host's history.
/// </summary>
internal sealed class ScaleUp(string source, string target, int copies)
{
    public async Task RunAsync()
    {
        File.Copy(source, target, overwrite: true);
        await using var connection = new SqliteConnection($"Data Source={target};Pooling=False");
        await connection.OpenAsync();
        var hosts = await connection.ExecuteScalarAsync<long>("SELECT max(id) FROM hosts");
        for (var copy = 1; copy < copies; copy++)
        {
            await using var transaction = await connection.BeginTransactionAsync();
            var values = new { Offset = copy * hosts, Suffix = $"c{copy}", Uuid = $"{copy:x8}", Mac = $"52:54:{copy:x2}:", Lan = $"10.{copy}.", V6 = $"2001:{0xdb8 + copy:x}:" };
            await connection.ExecuteAsync("""
                INSERT INTO hosts (id, name, machine_id, agent_version, kernel, interval_ms, content_hash, errors, agent_time, first_report, last_report)
                SELECT id + @Offset, name || @Suffix, machine_id, agent_version, kernel, interval_ms, content_hash, errors, agent_time, first_report, last_report
                FROM hosts WHERE id <= @Hosts;
                INSERT INTO domains (host_id, uuid, name, state, persistent, valid_from, valid_to)
                SELECT host_id + @Offset, @Uuid || substr(uuid, 9), name || @Suffix, state, persistent, valid_from, valid_to FROM domains WHERE host_id <= @Hosts;
                INSERT INTO nics (host_id, domain_uuid, mac, kind, network, bridge, target_dev, valid_from, valid_to)
                SELECT host_id + @Offset, @Uuid || substr(domain_uuid, 9), @Mac || substr(mac, 10), kind, network, bridge, target_dev, valid_from, valid_to
                FROM nics WHERE host_id <= @Hosts;
                INSERT INTO bindings (host_id, mac, ip, source, device, neighbour_state, hostname, client_id, lease_expiry, valid_from, valid_to, last_seen)
                SELECT host_id + @Offset, @Mac || substr(mac, 10),
                       CASE WHEN ip LIKE '10.0.%' THEN @Lan || substr(ip, 6) WHEN ip LIKE '2001:db8:%' THEN @V6 || substr(ip, 10) ELSE ip END,
                       source, device, neighbour_state, hostname, client_id, lease_expiry, valid_from, valid_to, last_seen
                FROM bindings WHERE host_id <= @Hosts;
                INSERT INTO links (host_id, name, kind, mac, master, operstate, mtu, addresses, tunnel_local, tunnel_remote, tunnel_ttl, valid_from, valid_to)
                SELECT host_id + @Offset, name, kind, mac, master, operstate, mtu, addresses, tunnel_local, tunnel_remote, tunnel_ttl, valid_from, valid_to
                FROM links WHERE host_id <= @Hosts;
                INSERT INTO networks (host_id, name, uuid, bridge, forward_mode, active, addresses, valid_from, valid_to)
                SELECT host_id + @Offset, name, uuid, bridge, forward_mode, active, addresses, valid_from, valid_to FROM networks WHERE host_id <= @Hosts;
                INSERT INTO host_silences (host_id, valid_from, valid_to)
                SELECT host_id + @Offset, valid_from, valid_to FROM host_silences WHERE host_id <= @Hosts;
                """, new { values.Offset, values.Suffix, values.Uuid, values.Mac, values.Lan, values.V6, Hosts = hosts }, transaction);
            await transaction.CommitAsync();
        }
        var rows = 0L;
        foreach (var table in new[] { "domains", "nics", "networks", "links", "bindings", "host_silences" })
        {
            rows += await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM {table}");
        }
        Console.WriteLine($"{target}: {copies} copies of {source}, {hosts * copies} hosts, {rows} interval rows");
    }
}
