#!/usr/bin/env bash
# Builds vfioctl and the VM client for a foreign guest architecture, from this checkout, against
# Debian's own packages of that architecture (arch-root.sh), with Debian's cross compiler and
# cmake/aarch64-linux-gnu.cmake. The VM suite runs it as the fixture of the arm64 scenarios, so
# the binaries a scenario boots with are the current sources; an up-to-date build costs a make.
#
#   tests/vm/cross-build.sh arm64 BUILD_DIR     -> BUILD_DIR/vfioctl,
#                                                  BUILD_DIR/tests/vm/client/vfioctl-vm-client
set -euo pipefail
. "$(dirname "$0")/host-lib.sh"

[ $# -eq 2 ] || { echo "usage: $0 ARCH BUILD_DIR" >&2; exit 2; }
arch=$1 build=$2
case $arch in
    arm64) toolchain=aarch64-linux-gnu ;;
    *) vm_die "cross-build.sh knows arm64 only, not '$arch'" ;;
esac
command -v "$toolchain-g++" >/dev/null || vm_die "$toolchain-g++ is missing: run scripts/install-deps.sh --vm"
repo=$(cd "$VM_DIR/../.." && pwd)
sysroot=$("$VM_DIR/arch-root.sh" "$arch")

# Configured once; a changed sysroot path (another cache) configures afresh.
if ! grep -qxF "VFIOCTL_SYSROOT:UNINITIALIZED=$sysroot" "$build/CMakeCache.txt" 2>/dev/null &&
   ! grep -qxF "VFIOCTL_SYSROOT:PATH=$sysroot" "$build/CMakeCache.txt" 2>/dev/null; then
    rm -rf "$build"
    cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_TOOLCHAIN_FILE="$repo/cmake/$toolchain.cmake" -DVFIOCTL_SYSROOT:PATH="$sysroot" \
        -DVFIOCTL_TESTS=OFF -DVFIOCTL_BENCH=OFF -DVFIOCTL_VM_CLIENT=ON >&2
fi
cmake --build "$build" --target vfioctl vfioctl_vm_client >&2
