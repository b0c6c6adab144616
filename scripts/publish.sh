#!/usr/bin/env bash
# Publishes DaemonNet for real hosts into out/ (or the folder given): the agent and the CLI as
# native executables (NativeAOT: fast start, half the memory), the collector self-contained.
# As root on Debian 12 with the .NET 10 SDK; installs the native toolchain first.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/prerequisites.sh
require_root
require_dotnet
install_packages

out=${1:-out}
dotnet publish src/HostAgent -c Release -r linux-x64 -o "$out/agent" -v q -nologo
dotnet publish src/Cli -c Release -r linux-x64 -o "$out/cli" -v q -nologo
dotnet publish src/Collector -c Release -r linux-x64 --self-contained -o "$out/collector" -v q -nologo
echo "Published to $out: agent/daemonnet-agent, cli/daemonnet, collector/daemonnet-collector"
