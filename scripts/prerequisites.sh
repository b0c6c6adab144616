# Sourced by the other scripts: checks the machine and installs what DaemonNet needs from Debian.
#   libvirt0  - libvirt.so.0, which the agent (and its tests, through the test driver) call
#   iproute2  - ip, for the kernel's links, addresses and neighbour tables, and network namespaces
#   sqlite3   - not needed by DaemonNet; handy to look into the collector's database
#   clang, zlib1g-dev - the native toolchain NativeAOT links the agent and the CLI with (scripts/publish.sh)

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
    if [ ${#missing[@]} -gt 0 ]; then
        echo "Installing ${missing[*]} from Debian..."
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
}

# Test namespaces carry the test process id (dn<pid>-...); remove those of runs that were killed.
remove_stale_test_namespaces() {
    local ns pid
    for ns in $(ip netns list | awk '{print $1}' | grep -E '^dn[0-9]+-' || true); do
        pid=${ns#dn}; pid=${pid%%-*}
        if ! kill -0 "$pid" 2>/dev/null; then
            ip netns del "$ns" 2>/dev/null || true
        fi
    done
}
