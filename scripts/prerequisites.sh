# Sourced by the other scripts: checks the machine and installs what DaemonNet needs from Debian.
#   libvirt0  - libvirt.so.0, which the agent (and its tests, through the test driver) call
#   iproute2  - ip, for the kernel's links, addresses and neighbour tables, and network namespaces
#   sqlite3   - not needed by DaemonNet; handy to look into the collector's database
#   clang, zlib1g-dev - the native toolchain NativeAOT links the agent and the CLI with (scripts/publish.sh)
#   ieee-data - the IEEE registries (MA-L, MA-M, MA-S, IAB) that name the vendor of a MAC
# and, for the demo only (install_packages --for-demo):
#   socat                                  - the demo's syslog receiver, which writes the alerts it gets to a file
# and, for the tests only (install_packages --for-tests):
#   chromium                               - the headless browser the web page's tests drive (tests/Collector.Tests/Http/WebPageTests.cs)
#   python3-aiosmtpd                       - the SMTP server the mail alerts' tests deliver to (tests/Collector.Tests/Alerting)
#   lintian, systemd                       - check the Debian packages and their units (tests/EndToEnd.Tests/PackageTests.cs)
#   iputils-ping                           - makes a test "VM" talk to the LAN, so that capture sees it (tests/EndToEnd.Tests/CaptureTests.cs)
#   strace                                 - shows which files the native CLI opens (tests/EndToEnd.Tests/NativeProgramsTests.cs)
#   postgresql                             - the second store: each test process runs a throwaway cluster of its own as the
#                                            postgres user (tests/Support/PostgresServer.cs); Debian's own cluster is not used
#   promtool, prometheus, from Debian's    - promtool checks a real scrape of /metrics (tests/Collector.Tests/Operations); the
#   prometheus package                       server discovers the VMs over /v1/sd/prometheus (tests/Collector.Tests/Integrations).
#                                            Only the two programs are taken from the package, so no service is installed or started
#   ansible-core                           - ansible-inventory runs the shipped inventory script (tests/Collector.Tests/Integrations)
#   curl, jq                               - run the README's provisioning recipe (tests/Collector.Tests/Integrations/WaitRecipeTests.cs)
#   npm, and axe-core 4.14.1 from the npm registry into /opt/daemonnet-test-tools - the accessibility checks of the web
#                                            page (tests/Collector.Tests/Http/WebPageTests.cs); for the tests only, never served
# and for the tests against a real libvirtd (tests/EndToEnd.Tests/RealLibvirtTests.cs):
#   libvirt-daemon-system, libvirt-clients - libvirtd, virtlogd and virsh
#   qemu-system-x86, ipxe-qemu             - the diskless guests and the network boot ROM that asks for a lease
#   dnsmasq-base                           - libvirt's DHCP server
#   iptables                               - the rules that keep the guests' packets on this machine

require_root() {
    if [ "$(id -u)" -ne 0 ]; then
        echo "$0: run as root: network namespaces and package installs need it" >&2
        exit 2
    fi
}

require_dotnet() {
    if ! command -v dotnet >/dev/null 2>&1; then
        echo "$0: the .NET 10 SDK is not on PATH; install it first (https://learn.microsoft.com/dotnet/core/install/linux-debian)" >&2
        exit 2
    fi
}

install_packages() {
    local missing=()
    # grep without -q reads all of ldconfig's output: an early exit would SIGPIPE it and fail under pipefail.
    ldconfig -p | grep 'libvirt\.so\.0 ' >/dev/null || missing+=(libvirt0)
    command -v ip >/dev/null 2>&1 || missing+=(iproute2)
    command -v sqlite3 >/dev/null 2>&1 || missing+=(sqlite3)
    command -v clang >/dev/null 2>&1 || missing+=(clang)
    [ -e /usr/include/zlib.h ] || missing+=(zlib1g-dev)
    [ -e /usr/share/ieee-data/oui.csv ] || missing+=(ieee-data)
    if [ "${1:-}" = "--for-demo" ]; then
        command -v socat >/dev/null 2>&1 || missing+=(socat)
    fi
    if [ "${1:-}" = "--for-tests" ]; then
        command -v chromium >/dev/null 2>&1 || missing+=(chromium)
        /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || missing+=(python3-aiosmtpd)
        command -v lintian >/dev/null 2>&1 || missing+=(lintian)
        command -v ping >/dev/null 2>&1 || missing+=(iputils-ping)
        command -v strace >/dev/null 2>&1 || missing+=(strace)
        compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
        command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
        command -v libvirtd >/dev/null 2>&1 || missing+=(libvirt-daemon-system)
        command -v virsh >/dev/null 2>&1 || missing+=(libvirt-clients)
        command -v qemu-system-x86_64 >/dev/null 2>&1 || missing+=(qemu-system-x86)
        [ -d /usr/lib/ipxe/qemu ] || missing+=(ipxe-qemu)
        command -v dnsmasq >/dev/null 2>&1 || [ -e /usr/sbin/dnsmasq ] || missing+=(dnsmasq-base)
        command -v iptables >/dev/null 2>&1 || missing+=(iptables)
        command -v ansible-inventory >/dev/null 2>&1 || missing+=(ansible-core)
        command -v curl >/dev/null 2>&1 || missing+=(curl)
        command -v jq >/dev/null 2>&1 || missing+=(jq)
        command -v npm >/dev/null 2>&1 || missing+=(npm)
    fi
    if [ ${#missing[@]} -gt 0 ]; then
        echo "Installing ${missing[*]} from Debian..."
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
    if [ "${1:-}" = "--for-tests" ] && ! { command -v promtool && command -v prometheus; } >/dev/null 2>&1; then
        install_prometheus_programs
    fi
    if [ "${1:-}" = "--for-tests" ] && [ ! -e /opt/daemonnet-test-tools/node_modules/axe-core/axe.min.js ]; then
        echo "Installing axe-core from the npm registry for the web page's tests..."
        mkdir -p /opt/daemonnet-test-tools
        npm install --silent --no-audit --no-fund --prefix /opt/daemonnet-test-tools axe-core@4.14.1 >/dev/null
    fi
}

# promtool and the prometheus server alone, out of Debian's prometheus package, into /usr/local/bin:
# the package itself would install and start a service.
install_prometheus_programs() {
    local dir
    dir=$(mktemp -d)
    echo "Installing promtool and prometheus from Debian's prometheus package..."
    (cd "$dir" && apt-get download -qq prometheus >/dev/null 2>&1 || { apt-get update -qq && apt-get download -qq prometheus >/dev/null; })
    dpkg-deb --fsys-tarfile "$dir"/prometheus_*.deb | tar -x -C "$dir" ./usr/bin/promtool ./usr/bin/prometheus
    install -m 0755 "$dir/usr/bin/promtool" "$dir/usr/bin/prometheus" /usr/local/bin/
    rm -rf "$dir"
}

# Test libvirt domains and networks carry the test process id too (dn<pid>-vmN, dn<pid>-nat, bridge
# dn<pid>br); remove those of runs that were killed, with their firewall rules. Only when libvirtd runs.
remove_stale_test_libvirt() {
    command -v virsh >/dev/null 2>&1 && virsh -c qemu:///system version >/dev/null 2>&1 || return 0
    local name pid tool direction
    for name in $(virsh -c qemu:///system list --all --name; virsh -c qemu:///system net-list --all --name); do
        [[ $name =~ ^dn([0-9]+)- ]] || continue
        pid=${BASH_REMATCH[1]}
        kill -0 "$pid" 2>/dev/null && continue
        virsh -c qemu:///system destroy "$name" >/dev/null 2>&1
        virsh -c qemu:///system undefine "$name" >/dev/null 2>&1
        virsh -c qemu:///system net-destroy "$name" >/dev/null 2>&1
        virsh -c qemu:///system net-undefine "$name" >/dev/null 2>&1
        for tool in iptables ip6tables; do
            for direction in -i -o; do
                while $tool -D FORWARD "$direction" "dn${pid}br" -j DROP 2>/dev/null; do :; done
            done
        done
    done
}

# Test namespaces carry the test process id (dn<pid>-...); remove those of runs that were killed.
# A test process that was killed leaves its PostgreSQL cluster running in /tmp/daemonnet-pg-PID-*.
remove_stale_test_postgres() {
    local folder owner pid
    for folder in /tmp/daemonnet-pg-*; do
        [ -d "$folder" ] || continue
        owner=${folder#/tmp/daemonnet-pg-}; owner=${owner%%-*}
        kill -0 "$owner" 2>/dev/null && continue
        pid=$(head -n 1 "$folder/data/postmaster.pid" 2>/dev/null || true)
        [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
        rm -rf "$folder"
    done
}

remove_stale_test_namespaces() {
    local ns pid
    for ns in $(ip netns list | awk '{print $1}' | grep -E '^dn[0-9]+-' || true); do
        pid=${ns#dn}; pid=${pid%%-*}
        if ! kill -0 "$pid" 2>/dev/null; then
            ip netns del "$ns" 2>/dev/null || true
        fi
    done
}
