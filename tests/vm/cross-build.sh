#!/usr/bin/env bash
# Builds vfioctl and the VM client for a foreign guest architecture, from this checkout, against
# Debian's own packages of that architecture (arch-root.sh), with Debian's cross compiler and
# cmake/debian-cross.cmake. The VM suite runs it as the fixture of the foreign guests' scenarios, so
# the binaries a scenario boots with are the current sources; an up-to-date build costs a make.
#
#   tests/vm/cross-build.sh arm64|s390x BUILD_DIR -> BUILD_DIR/vfioctl,
#                                                  BUILD_DIR/tests/vm/client/vfioctl-vm-client
set -euo pipefail
. "$(dirname "$0")/host-lib.sh"

[ $# -eq 2 ] || { echo "usage: $0 ARCH BUILD_DIR" >&2; exit 2; }
arch=$1 build=$2
case $arch in
    arm64 | s390x) triplet=$(vm_arch_triplet "$arch") ;;
    *) vm_die "cross-build.sh knows arm64 and s390x, not '$arch'" ;;
esac
command -v "$triplet-g++" >/dev/null || vm_die "$triplet-g++ is missing: run scripts/install-deps.sh --vm"
repo=$(cd "$VM_DIR/../.." && pwd)
sysroot=$("$VM_DIR/arch-root.sh" "$arch")

# Configured once; another sysroot path (another cache) or toolchain file configures afresh.
cached() { grep -qE "^$1:[A-Z]+=$2\$" "$build/CMakeCache.txt" 2>/dev/null; }
if ! cached VFIOCTL_SYSROOT "$sysroot" || ! cached CMAKE_TOOLCHAIN_FILE "$repo/cmake/debian-cross.cmake"; then
    rm -rf "$build"
    cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_TOOLCHAIN_FILE="$repo/cmake/debian-cross.cmake" -DVFIOCTL_CROSS_TRIPLET="$triplet" \
        -DVFIOCTL_SYSROOT:PATH="$sysroot" \
        -DVFIOCTL_TESTS=OFF -DVFIOCTL_BENCH=OFF -DVFIOCTL_VM_CLIENT=ON >&2
fi
cmake --build "$build" --target vfioctl vfioctl_vm_client >&2
