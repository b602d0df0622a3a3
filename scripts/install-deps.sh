#!/usr/bin/env bash
# Installs the Debian 12 packages vfioctl needs. Idempotent: packages already present are skipped,
# so a warm machine pays only a dpkg query. Groups:
#   (default)  build + unit tests: compiler, CMake, libraries, GoogleTest/Benchmark, clang for the
#              sanitizer and libFuzzer builds, kmod (the oracle tests run the real modprobe),
#              systemd (systemd-analyze verify checks the boot unit)
#   --vm       the real-kernel VM suite: QEMU and the tools that assemble the guest
#   --bench    the peer benchmarks: driverctl, dpdk-devbind.py, hyperfine
set -euo pipefail

want_vm=0 want_bench=0
for a in "$@"; do
    case $a in
        --vm) want_vm=1 ;;
        --bench) want_bench=1 ;;
        --all) want_vm=1 want_bench=1 ;;
        *) echo "install-deps.sh: unknown option '$a' (use --vm, --bench or --all)" >&2; exit 2 ;;
    esac
done

pkgs=(
    build-essential cmake ninja-build pkg-config git
    libkmod-dev kmod
    libcli11-dev nlohmann-json3-dev libfmt-dev libtomlplusplus-dev
    libpci-dev pci.ids
    libgtest-dev libgmock-dev googletest libbenchmark-dev zlib1g-dev
    clang libclang-rt-14-dev
    python3
    systemd
)
if [ $want_vm = 1 ]; then
    # tests/vm: QEMU; cpio/xz/zstd/binutils assemble the guest (vmlinux extraction, initramfs,
    # strip); make, gcc and libelf build the test variant modules with the linux-kbuild binaries;
    # jq reads vfioctl's JSON inside the guest; udev gives the hotplug scenario Debian's udevd;
    # acpica-tools' iasl compiles the test ACPI tables (tests/vm/acpi). The custom-6.1 guest kernel
    # is compiled from linux-source-6.1 with the same make, gcc, libelf, bc, flex and bison.
    # The arm64 guest: QEMU's arm64 machines, Debian's cross compilers (its kernel, vfioctl and the
    # client) and dtc's fdtput/fdtget (the test devices in its device tree). Its userland and the
    # cross build's sysroot are Debian's arm64 packages, unpacked by tests/vm/arch-root.sh, not
    # installed. The s390x guest (vfio_ccw) takes the same path with s390x's cross compilers and
    # qemu-system-misc's qemu-system-s390x.
    pkgs+=(qemu-system-x86 cpio gzip xz-utils zstd dpkg-dev binutils make gcc libelf-dev bc flex bison jq udev acpica-tools
        qemu-system-arm gcc-aarch64-linux-gnu g++-aarch64-linux-gnu binutils-aarch64-linux-gnu device-tree-compiler
        qemu-system-misc gcc-s390x-linux-gnu g++-s390x-linux-gnu binutils-s390x-linux-gnu)
fi
if [ $want_bench = 1 ]; then
    pkgs+=(driverctl dpdk hyperfine pciutils strace util-linux)
fi

missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "install-deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
