#!/usr/bin/env bash
# Builds DaemonNet and brings up a demo cluster on this machine, then shows `daemonnet where`.
#
#   scripts/demo.sh        bring the demo up (tearing down an earlier one first)
#   scripts/demo.sh down   remove it: processes, namespaces, the bridge, its files
#
# The cluster: a bridge dndemo0 (10.99.0.1/24) in this namespace stands for the club's LAN; the
# collector listens on 10.99.0.1:7460 with TLS, certificates made by `certs init/issue`, and open reads (the web page needs no certificate). Three network namespaces dndemo-daemon1..3 are the daemon
# hosts, each with br0 (forward-bridge) and virbr0 (nat-bridge, its own IPv6 /64), real neighbour
# entries, a dnsmasq lease file and a libvirt test-driver node with VMs, and a real agent. The
# collector sends its alerts to syslog, which a socat listener writes to alerts.log.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/prerequisites.sh

state=/tmp/daemonnet-demo
bin=src/Cli/bin/Release/net10.0
collector_url=https://10.99.0.1:7460
collector=src/Collector/bin/Release/net10.0/daemonnet-collector.dll
tls="$state/tls"

# tls_flags NAME: the three TLS flags for a certificate in $tls.
tls_flags() { echo "--ca-file $tls/ca.pem --cert-file $tls/$1.pem --key-file $tls/$1-key.pem"; }

down() {
    if [ -d "$state" ]; then
        for pidfile in "$state"/*.pid; do
            [ -e "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
        done
    fi
    for host in 1 2 3; do
        ip netns del "dndemo-daemon$host" 2>/dev/null || true
        # A namespace can outlive its name for a while (its sockets closing); its veth's other end must not block the next run.
        ip link del "dndemo-h$host" 2>/dev/null || true
    done
    ip link del dndemo0 2>/dev/null || true
    rm -rf "$state"
}

# start NAME NAMESPACE COMMAND...: runs a program in the background, output to $state/NAME.log.
start() {
    local name=$1 namespace=$2
    shift 2
    if [ -n "$namespace" ]; then
        setsid ip netns exec "$namespace" "$@" >"$state/$name.log" 2>&1 &
    else
        setsid "$@" >"$state/$name.log" 2>&1 &
    fi
    echo $! >"$state/$name.pid"
}

# node FILE HOST DOMAINS...: a libvirt test-driver node with the club's two networks.
node() {
    local file=$1 host=$2
    shift 2
    cat >"$file" <<XML
<node>
  <network>
    <name>nat-bridge</name>
    <forward mode='nat'/>
    <bridge name='virbr0'/>
    <ip address='192.168.122.1' netmask='255.255.255.0'>
      <dhcp><range start='192.168.122.2' end='192.168.122.254'/></dhcp>
    </ip>
    <ip family='ipv6' address='2001:db8:beef:$host::1' prefix='64'/>
  </network>
  <network>
    <name>forward-bridge</name>
    <forward mode='bridge'/>
    <bridge name='br0'/>
  </network>
$(printf '%s\n' "$@")
</node>
XML
}

# vm NAME UUID STATE NETWORK:MAC...: one domain; STATE is running or shutoff.
vm() {
    local name=$1 uuid=$2 state=$3
    shift 3
    echo "  <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>"
    echo "    <name>$name</name><uuid>$uuid</uuid><memory>1048576</memory><os><type>hvm</type></os>"
    [ "$state" = shutoff ] && echo "    <test:runstate>5</test:runstate>"
    echo "    <devices>"
    for nic in "$@"; do
        echo "      <interface type='network'><mac address='${nic#*:}'/><source network='${nic%%:*}'/></interface>"
    done
    echo "    </devices>"
    echo "  </domain>"
}

# lease FILE IP MAC HOSTNAME...: a dnsmasq status file with leases that end in an hour.
leases() {
    local file=$1 expiry
    shift
    expiry=$(( $(date +%s) + 3600 ))
    {
        echo "["
        local first=1
        while [ $# -ge 3 ]; do
            [ $first -eq 1 ] || echo ","
            first=0
            printf '  {"ip-address": "%s", "mac-address": "%s", "hostname": "%s", "expiry-time": %d}' "$1" "$2" "$3" "$expiry"
            shift 3
        done
        echo; echo "]"
    } >"$file"
}

host() {
    local n=$1 ns="dndemo-daemon$1"
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    ip link add "dndemo-h$n" type veth peer name eth0 netns "$ns"
    ip link set "dndemo-h$n" master dndemo0 up
    ip -n "$ns" link set eth0 up
    ip -n "$ns" addr add "10.99.0.$((10 + n))/24" dev eth0
    ip -n "$ns" link add br0 type bridge
    ip -n "$ns" link set br0 up
    ip -n "$ns" addr add "10.77.0.$((10 + n))/24" dev br0
    ip -n "$ns" link add virbr0 type bridge
    ip -n "$ns" link set virbr0 up
    ip -n "$ns" addr add 192.168.122.1/24 dev virbr0
    ip -n "$ns" -6 addr add "2001:db8:beef:$n::1/64" dev virbr0 nodad
    mkdir -p "$state/daemon$n-leases"
    cat >"$state/daemon$n-interfaces" <<EOF2
auto lo
iface lo inet loopback

auto br0
iface br0 inet static
    address 10.77.0.$((10 + n))/24
    bridge_ports eth0

# Hurricane Electric tunnel broker
auto he-ipv6
iface he-ipv6 inet6 v4tunnel
    address 2001:470:1f0a:a6$n::2
    netmask 64
    endpoint 216.66.80.26
    local 10.99.0.$((10 + n))
    ttl 255
    gateway 2001:470:1f0a:a6$n::1
EOF2
    # The HE tunnel as ifupdown would create it; kernels without the sit module show it as missing.
    if ip -n "$ns" link add he-ipv6 type sit local "10.99.0.$((10 + n))" remote 216.66.80.26 ttl 255 2>/dev/null; then
        ip -n "$ns" link set he-ipv6 up
        ip -n "$ns" -6 addr add "2001:470:1f0a:a6$n::2/64" dev he-ipv6 nodad
    fi
}

agent() {
    local n=$1
    # shellcheck disable=SC2046
    start "agent-daemon$n" "dndemo-daemon$n" dotnet src/HostAgent/bin/Release/net10.0/daemonnet-agent.dll \
        --collector "$collector_url" --host-name "daemon$n" --interval 2s $(tls_flags "daemon$n") \
        --libvirt-uri "test://$state/daemon$n-node.xml" --leases-dir "$state/daemon$n-leases" \
        --interfaces-file "$state/daemon$n-interfaces"
}

if [ "${1:-up}" = down ]; then
    require_root
    down
    echo "Demo cluster removed."
    exit 0
fi

require_root
require_dotnet
install_packages --for-demo
echo "Building DaemonNet (Release)..."
dotnet build DaemonNet.sln -c Release -v q -nologo >/dev/null
down
mkdir -p "$state"

ip link add dndemo0 type bridge
ip link set dndemo0 up
ip addr add 10.99.0.1/24 dev dndemo0
dotnet "$collector" certs init --dir "$tls" --san 10.99.0.1 >/dev/null
for n in 1 2 3; do dotnet "$collector" certs issue --dir "$tls" --name "daemon$n" --role agent >/dev/null; done
dotnet "$collector" certs issue --dir "$tls" --name admin --role reader >/dev/null
# Alerts go to syslog over UDP; socat stands in for the club's syslog server and appends each message to a file.
watched_mac=52:54:00:ee:00:99
# Each datagram becomes one line: one child per datagram, one at a time (flock), given time to finish (-t).
touch "$state/alerts.log"
start syslog "" socat -u -t 2 UDP-RECVFROM:5514,bind=10.99.0.1,fork \
    SYSTEM:"flock $state/alerts.log sh -c 'cat >>$state/alerts.log; echo >>$state/alerts.log'"
# shellcheck disable=SC2046
start collector "" env DAEMONNET_Collector__Alerts__Sinks__syslog__Type=syslog DAEMONNET_Collector__Alerts__Sinks__syslog__Address=udp://10.99.0.1:5514 \
    DAEMONNET_Collector__Alerts__WatchList__0=$watched_mac \
    dotnet "$collector" --listen 10.99.0.1:7460 --db "$state/collector.db" $(tls_flags collector) \
    --routed-prefix daemon1/he-ipv6=2001:db8:beef:1::/64 --routed-prefix daemon2/he-ipv6=2001:db8:beef:2::/64 \
    --routed-prefix daemon3/he-ipv6=2001:db8:beef:3::/64 --tunnel-limit daemon1/he-ipv6=100Mbit --open-reads

for n in 1 2 3; do host "$n"; done

# daemon1: web1 on both networks, db1 on nat-bridge.
node "$state/daemon1-node.xml" 1 \
    "$(vm web1 5f0c8a52-0001-4a5e-9c1e-000000000001 running nat-bridge:52:54:00:ab:01:01 forward-bridge:52:54:00:ab:01:02)" \
    "$(vm db1 5f0c8a52-0001-4a5e-9c1e-000000000002 running nat-bridge:52:54:00:ab:01:03)"
leases "$state/daemon1-leases/virbr0.status" 192.168.122.45 52:54:00:ab:01:01 web1 192.168.122.46 52:54:00:ab:01:03 db1
ip -n dndemo-daemon1 neigh replace 192.168.122.45 lladdr 52:54:00:ab:01:01 dev virbr0 nud reachable
ip -n dndemo-daemon1 neigh replace 2001:db8:beef:1::45 lladdr 52:54:00:ab:01:01 dev virbr0 nud reachable
ip -n dndemo-daemon1 neigh replace 10.77.0.50 lladdr 52:54:00:ab:01:02 dev br0 nud stale

# daemon2: another web1 (same name, another host), and lan2 on forward-bridge.
node "$state/daemon2-node.xml" 2 \
    "$(vm web1 5f0c8a52-0002-4a5e-9c1e-000000000001 running nat-bridge:52:54:00:ab:02:01)" \
    "$(vm lan2 5f0c8a52-0002-4a5e-9c1e-000000000002 running forward-bridge:52:54:00:ab:02:02)"
leases "$state/daemon2-leases/virbr0.status" 192.168.122.77 52:54:00:ab:02:01 web1
ip -n dndemo-daemon2 neigh replace 2001:db8:beef:2::77 lladdr 52:54:00:ab:02:01 dev virbr0 nud stale

# daemon3: mail1, shut off; its neighbour table has seen lan2 on the LAN.
node "$state/daemon3-node.xml" 3 "$(vm mail1 5f0c8a52-0003-4a5e-9c1e-000000000001 shutoff nat-bridge:52:54:00:ab:03:01)"
leases "$state/daemon3-leases/virbr0.status"
ip -n dndemo-daemon3 neigh replace 10.77.0.61 lladdr 52:54:00:ab:02:02 dev br0 nud reachable

for n in 1 2 3; do agent "$n"; done

# shellcheck disable=SC2046
daemonnet() { dotnet "$bin/daemonnet.dll" --collector "$collector_url" $(tls_flags admin) "$@"; }
echo "Waiting for the three agents to report..."
for _ in $(seq 1 60); do
    if [ "$(daemonnet hosts 2>/dev/null | grep -c ' ok$' || true)" -eq 3 ]; then break; fi
    sleep 0.5
done
echo
echo "\$ daemonnet hosts"
daemonnet hosts
echo
echo "\$ daemonnet where web1"
daemonnet where web1
echo
echo "\$ daemonnet tunnels"
daemonnet tunnels
echo
echo "\$ daemonnet audit"
daemonnet audit || true
echo
echo "Alerts go to syslog: a socat listener on udp://10.99.0.1:5514 appends them to $state/alerts.log."
echo "A MAC on the collector's watch list turns up in daemon3's neighbour table:"
echo "\$ ip -n dndemo-daemon3 neigh replace 10.77.0.99 lladdr $watched_mac dev br0 nud reachable"
ip -n dndemo-daemon3 neigh replace 10.77.0.99 lladdr "$watched_mac" dev br0 nud reachable
for _ in $(seq 1 60); do
    if grep -q ' watch-list ' "$state/alerts.log" 2>/dev/null; then break; fi
    sleep 0.5
done
echo "\$ grep watch-list $state/alerts.log"
grep ' watch-list ' "$state/alerts.log" || echo "(no watch-list alert arrived within 30 s: see $state/collector.log)"
echo
echo "\$ daemonnet alerts --limit 3"
daemonnet alerts --limit 3
cat <<EOF2

The demo keeps running. Try it yourself (as the reader 'admin'):
  export DAEMONNET_COLLECTOR=$collector_url DAEMONNET_CA_FILE=$tls/ca.pem
  export DAEMONNET_CERT_FILE=$tls/admin.pem DAEMONNET_KEY_FILE=$tls/admin-key.pem
  alias daemonnet="$PWD/$bin/daemonnet"
  daemonnet where 10.77.0.61;  daemonnet vms;  daemonnet history web1;  daemonnet where 52:54:00:AB:01:01 --json
  daemonnet audit --min-severity info;  daemonnet tunnels --host daemon1 --json;  daemonnet alerts;  daemonnet alerts test syslog
The web page and the HTTP API (reads are open in the demo: no certificate needed):
  https://10.99.0.1:7460/#where/web1     (the browser warns: the demo's CA is not in its store)
  curl --cacert $tls/ca.pem https://10.99.0.1:7460/v1/where/web1
Logs are in $state; remove everything with: scripts/demo.sh down
EOF2
