using System.Data;
using Dapper;

namespace DaemonNet.Collector.Storage;

/// <summary>Everything that holds now, cluster-wide, for the tunnel report and the audit.</summary>
public sealed partial class InventoryStore
{
    private const string OpenDomains = $"""
        SELECT {DomainColumns} FROM domains d WHERE d.valid_to IS NULL
        """;

    private const string OpenNics = $"""
        SELECT {NicColumns}
        FROM nics n WHERE n.valid_to IS NULL
        """;

    private static readonly string OpenBindings = $"""
        SELECT {BindingColumns} FROM bindings b JOIN hosts h ON h.id = b.host_id
        WHERE b.valid_to IS NULL AND {LeaseValidAt("b", "@Now")}
        """;

    private const string OpenNetworks = """
        SELECT host_id AS HostId, name AS Name, bridge AS Bridge, forward_mode AS ForwardMode, active AS Active,
               addresses AS Addresses, valid_from AS ValidFrom
        FROM networks WHERE valid_to IS NULL
        """;

    private const string OpenLinks = """
        SELECT host_id AS HostId, name AS Name, kind AS Kind, operstate AS Operstate, mtu AS Mtu, addresses AS Addresses,
               tunnel_local AS TunnelLocal, tunnel_remote AS TunnelRemote, tunnel_ttl AS TunnelTtl, valid_from AS ValidFrom
        FROM links WHERE valid_to IS NULL
        """;

    private const string OpenConfigured = """
        SELECT host_id AS HostId, name AS Name, family AS Family, method AS Method, auto AS Auto, address AS Address,
               netmask AS Netmask, endpoint AS Endpoint, local AS Local, ttl AS Ttl, gateway AS Gateway, mode AS Mode,
               bridge_ports AS BridgePorts, file AS File, line AS Line, valid_from AS ValidFrom
        FROM configured_interfaces WHERE valid_to IS NULL
        """;

    public async Task<ClusterState> CurrentStateAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        // One snapshot of the database for all seven reads: PostgreSQL's default gives each statement its own.
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        var at = new { Now = now.ToUnixTimeMilliseconds() };
        return new ClusterState(
            (await connection.QueryAsync<HostRow>(SelectHosts + " ORDER BY h.name", transaction: transaction)).AsList(),
            (await connection.QueryAsync<DomainRow>(OpenDomains, transaction: transaction)).AsList(),
            (await connection.QueryAsync<NicRow>(OpenNics, transaction: transaction)).AsList(),
            (await connection.QueryAsync<BindingRow>(OpenBindings, at, transaction)).AsList(),
            (await connection.QueryAsync<NetworkRow>(OpenNetworks, transaction: transaction)).AsList(),
            (await connection.QueryAsync<LinkRow>(OpenLinks, transaction: transaction)).AsList(),
            (await connection.QueryAsync<ConfiguredRow>(OpenConfigured, transaction: transaction)).AsList());
    }
}
