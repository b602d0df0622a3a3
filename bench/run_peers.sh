#!/usr/bin/env bash
# The peer comparison quoted in BENCHMARKS.md: vfioctl status (table and --json) timed in the
# same run as driverctl, dpdk-devbind.py and the shell floors, on the peer benchmark's fake
# sysfs tree of N devices, then the agreement check against driverctl's output.
#
#   bench/run_peers.sh [N] [OUT] [-- EXTRA run.sh OPTIONS]
#     N    devices in the fake tree (default 4096)
#     OUT  results folder (default build-bench/peers/n<N>-<UTC time>)
#
# Needs root (a private mount namespace), scripts/install-deps.sh --bench, and a vfioctl built
# in build-bench:  cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo &&
#                  cmake --build build-bench --target vfioctl
set -euo pipefail
cd "$(dirname "$0")/.."
N=4096 OUT=
if [ $# -gt 0 ] && [ "$1" != "--" ]; then N=$1; shift; fi
if [ $# -gt 0 ] && [ "$1" != "--" ]; then OUT=$1; shift; fi
if [ "${1:-}" = "--" ]; then shift; fi
OUT=${OUT:-build-bench/peers/n$N-$(date -u +%Y%m%dT%H%M%SZ)}
PEERS=${VFIOCTL_PEERS_DIR:-/work/shared/bench/peers}
BIN=$PWD/build-bench/vfioctl
[ -x "$BIN" ] || { echo "run_peers.sh: build $BIN first" >&2; exit 2; }

"$PEERS/run.sh" --out "$OUT" --name vfioctl-status -c "exec $BIN status --json" "$@" "$N" -- "$BIN" status
python3 bench/check_agreement.py "$OUT" --json extra-c1 --tree "${FAKE_SYSFS_CACHE:-${TMPDIR:-/tmp}/fake-sysfs-bench}/n$N"
