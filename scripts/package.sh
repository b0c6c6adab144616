#!/usr/bin/env bash
# Builds DaemonNet's Debian packages into out/deb (or the folder given):
#   daemonnet            the CLI (native), with bash completion
#   daemonnet-agent      the agent (native), its systemd unit, /etc/daemonnet/agent.json
#   daemonnet-collector  the collector (self-contained, in /usr/lib/daemonnet-collector), its
#                        systemd unit, /etc/daemonnet/collector.json, the daemonnet user
#
#   scripts/package.sh [--from PUBLISHED] [OUT]
#
# --from takes programs that scripts/publish.sh already made (the test suite passes its own);
# without it they are published first. The version is the project's, then the last commit's
# time and hash: 0.1.0~git20261128145300.84cf984 sorts before the release 0.1.0.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/prerequisites.sh
require_root
require_dotnet

published=""
if [ "${1:-}" = "--from" ]; then
    published=$2
    shift 2
fi
out=${1:-out/deb}
if [ -z "$published" ]; then
    published=out/publish
    bash scripts/publish.sh "$published" >/dev/null
fi

upstream=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)
version="$upstream~git$(git log -1 --format=%cd --date=format-local:%Y%m%d%H%M%S).$(git rev-parse --short HEAD)"
architecture=$(dpkg --print-architecture)
maintainer="DaemonNet developers <daemonnet@club.example>"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

# stage NAME: an empty package tree with its documentation.
stage() {
    local root="$work/$1"
    install -d "$root/DEBIAN" "$root/usr/share/doc/$1" "$root/usr/share/lintian/overrides" "$root/usr/share/bash-completion/completions"
    install -m 0644 deploy/debian/copyright "$root/usr/share/doc/$1/copyright"
    install -m 0644 README.md "$root/usr/share/doc/$1/README.md"
    install -m 0644 docs/HOW-IT-WORKS.md docs/DEPLOYING.md docs/SECURITY.md docs/CONFIGURATION.md docs/ALERTS.md docs/CLI.md "$root/usr/share/doc/$1/"
    printf '%s (%s) unstable; urgency=medium\n\n  * Built from commit %s.\n\n -- %s  %s\n' \
        "$1" "$version" "$(git rev-parse HEAD)" "$maintainer" "$(git log -1 --format=%cd --date=rfc2822)" \
        | gzip -9n >"$root/usr/share/doc/$1/changelog.gz"
    chmod 0644 "$root/usr/share/doc/$1/changelog.gz"
}

# completion NAME PROGRAM: bash completion for PROGRAM in package NAME.
completion() {
    sed "s/PROGRAM/$2/g; s/_$2_complete/_${2//-/_}_complete/g" deploy/bash-completion >"$work/$1/usr/share/bash-completion/completions/$2"
    chmod 0644 "$work/$1/usr/share/bash-completion/completions/$2"
}

# unit NAME: the package's systemd unit and maintainer scripts.
unit() {
    install -D -m 0644 "deploy/$1.service" "$work/$1/lib/systemd/system/$1.service"
    for script in postinst prerm postrm; do
        install -m 0755 "deploy/debian/$1.$script" "$work/$1/DEBIAN/$script"
    done
}

# conffile NAME FILE: /etc/daemonnet/FILE, kept across upgrades when the admin changed it.
conffile() {
    install -D -m 0644 "deploy/$2" "$work/$1/etc/daemonnet/$2"
    echo "/etc/daemonnet/$2" >"$work/$1/DEBIAN/conffiles"
}

# overrides NAME: lintian tags that do not apply, each with its reason (deploy/debian/NAME.lintian-overrides).
overrides() {
    if [ -f "deploy/debian/$1.lintian-overrides" ]; then
        install -m 0644 "deploy/debian/$1.lintian-overrides" "$work/$1/usr/share/lintian/overrides/$1"
    fi
}

# control NAME DEPENDS DESCRIPTION LONG: writes DEBIAN/control and builds the package.
build() {
    local root="$work/$1"
    cat >"$root/DEBIAN/control" <<CONTROL
Package: $1
Version: $version
Architecture: $architecture
Maintainer: $maintainer
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: $2
Section: admin
Priority: optional
Description: $3
$4
CONTROL
    # gzip: a third of xz's time on the collector's 100 MiB, for a package a third larger.
    dpkg-deb --root-owner-group -Zgzip --build "$root" "$out/$1_${version}_${architecture}.deb" >/dev/null
    echo "$out/$1_${version}_${architecture}.deb"
}

stage daemonnet
install -D -m 0755 "$published/cli/daemonnet" "$work/daemonnet/usr/bin/daemonnet"
install -D -m 0755 deploy/ansible-inventory "$work/daemonnet/usr/share/daemonnet/ansible-inventory"
completion daemonnet daemonnet
overrides daemonnet
build daemonnet "libc6, libssl3" "where are the club's VMs, and what are their addresses" \
" The daemonnet command asks a DaemonNet collector where a libvirt VM runs and
 which addresses it has, now or at any past time, which tunnel carries what,
 and what in the cluster is inconsistent. It can wait for a new VM's address
 and watch changes as they happen."

stage daemonnet-agent
install -D -m 0755 "$published/agent/daemonnet-agent" "$work/daemonnet-agent/usr/bin/daemonnet-agent"
unit daemonnet-agent
conffile daemonnet-agent agent.json
completion daemonnet-agent daemonnet-agent
overrides daemonnet-agent
build daemonnet-agent "libc6, libssl3, libvirt0, iproute2" "DaemonNet agent: reports a libvirt host to the collector" \
" The agent reads libvirt's domains and networks, the kernel's links, addresses
 and neighbour tables, dnsmasq's leases and the interfaces file, and streams
 snapshots of them to a DaemonNet collector over gRPC with mutual TLS. It only
 reads the host."

stage daemonnet-collector
install -d "$work/daemonnet-collector/usr/lib/daemonnet-collector" "$work/daemonnet-collector/usr/bin"
cp -r "$published/collector/." "$work/daemonnet-collector/usr/lib/daemonnet-collector/"
find "$work/daemonnet-collector/usr/lib/daemonnet-collector" \( -name '*.pdb' -o -name '*.dbg' \) -delete
# SQLite's library comes from NuGet with its symbols; the others are stripped already.
strip --strip-unneeded "$work/daemonnet-collector/usr/lib/daemonnet-collector/libe_sqlite3.so"
find "$work/daemonnet-collector/usr/lib/daemonnet-collector" -type f -exec chmod 0644 {} +
find "$work/daemonnet-collector/usr/lib/daemonnet-collector" -type d -exec chmod 0755 {} +
chmod 0755 "$work/daemonnet-collector/usr/lib/daemonnet-collector/daemonnet-collector"
ln -s ../lib/daemonnet-collector/daemonnet-collector "$work/daemonnet-collector/usr/bin/daemonnet-collector"
unit daemonnet-collector
conffile daemonnet-collector collector.json
completion daemonnet-collector daemonnet-collector
overrides daemonnet-collector
build daemonnet-collector "libc6, libgcc-s1, libstdc++6, libssl3, adduser, ieee-data" "DaemonNet collector: the cluster's VM and network inventory and its history" \
" The collector receives the agents' snapshots, keeps the cluster's state and
 its history as intervals in SQLite, and answers the daemonnet command, an
 HTTP/JSON API and a web page. It audits the cluster, sends alerts (webhook,
 syslog, mail) and exports Prometheus metrics. It runs as the system user
 daemonnet."
