#!/usr/bin/env bash
# Builds the kernel half of the test guest for one Debian kernel meta package, from Debian's archive
# only, into the cache (see host-lib.sh): nothing is installed on the host.
#
#   tests/vm/build-guest.sh linux-image-amd64          # bookworm's 6.1
#   tests/vm/build-guest.sh linux-image-6.12-amd64     # bookworm's 6.12
#   tests/vm/build-guest.sh --keep-versions PKG        # no apt query: the versions of the last build
#   tests/vm/build-guest.sh custom-6.1                 # a kernel built here from linux-source-6.1
#   tests/vm/build-guest.sh custom-6.12-arm64          # the same, cross-compiled for arm64
#   tests/vm/build-guest.sh custom-6.12-s390x          # and for s390x (vfio_ccw)
#
# custom-6.1 is the one guest that is not Debian's binary kernel: Debian's own source package
# (linux-source-6.1, with Debian's patches) built with tests/vm/custom-kernel.config, a small
# allnoconfig-based configuration that adds what no Debian kernel builds: vfio-platform and its
# reset modules (COMPILE_TEST on x86) and CONFIG_VFIO_NOIOMMU. It lets a scenario bind a platform
# device to vfio for real. The build takes about 6 minutes on 2 cores and is cached like the rest.
# custom-6.12-arm64 is cross-compiled (gcc-aarch64-linux-gnu) with custom-kernel-arm64.config for
# QEMU's arm64 virt machine, the one place where AMBA devices and DT platform devices with an
# IOMMU exist; its busybox is Debian's arm64 busybox-static from arch-root.sh. custom-6.12-s390x
# is the same for QEMU's s390-ccw-virtio machine (custom-kernel-s390x.config), where vfio_ccw's
# I/O subchannels are.
#
# Output in $VM_CACHE/guest/<package>/:
#   vmlinux       the uncompressed kernel, booted through QEMU's PVH entry (no decompression under TCG)
#   Image         instead of vmlinux on arm64: the uncompressed arm64 boot image
#   bzImage       instead of vmlinux on s390x: the boot image (its kernel stored uncompressed)
#   modules.cpio  /lib/modules/<release>: the modules the guest needs, the test modules
#                 (tests/vm/variants, built against the matching linux-headers packages, or on
#                 arm64 tests/vm/cdx) and a real depmod output, so modules.alias carries their
#                 vfio_pci: aliases
#   release       the kernel release (uname -r in the guest)
#   key           what the build was made from; an equal key means the build is current
#   busybox.cpio  busybox-static's binary and its applet links
#
# Idempotent and cheap when current (one apt-cache query). Safe to run concurrently (flock).
set -euo pipefail
. "$(dirname "$0")/host-lib.sh"

keep_versions=0
if [ "${1:-}" = --keep-versions ]; then keep_versions=1; shift; fi
[ $# -eq 1 ] || { echo "usage: $0 [--keep-versions] KERNEL_META_PACKAGE" >&2; exit 2; }
meta=$1
out=$(vm_guest_dir "$meta")
debs=$VM_CACHE/debs
mkdir -p "$out" "$debs"

# Modules the guest loads, by name; their dependencies and softdeps (vfio -> vfio_iommu_type1) come
# from the kernel's own modules.dep through modprobe --show-depends. pcspkr and qemu_fw_cfg are the
# host drivers of two platform devices (scenarios/90-platform-bus.sh); the boot's coldplug loads
# PCI drivers only, so they start unloaded.
guest_modules=(e1000e e1000 nvme vfio-pci vfio_iommu_type1 pcspkr qemu_fw_cfg)

custom_source=
arch=$(vm_kernel_arch "$meta")
kconfig_fragment=$VM_DIR/custom-kernel.config
kmake=(make)
case $meta in
    custom-*-arm64 | custom-*-s390x)
        custom_source=linux-source-${meta#custom-}
        custom_source=${custom_source%-"$arch"}
        kconfig_fragment=$VM_DIR/custom-kernel-$arch.config
        triplet=$(vm_arch_triplet "$arch")
        kmake=(make ARCH="$(vm_kernel_srcarch "$arch")" CROSS_COMPILE="$triplet-")
        command -v "$triplet-gcc" >/dev/null || vm_die "gcc-$triplet is missing: run scripts/install-deps.sh --vm"
        ;;
    custom-*) custom_source=linux-source-${meta#custom-} ;;
esac
# Out-of-tree test modules built against the guest kernel (step 3): on amd64 the vfio-pci variants,
# on arm64 the stand-in CDX controller; the s390x guest needs none.
case $arch in
    amd64) test_modules=$VM_DIR/variants ;;
    arm64) test_modules=$VM_DIR/cdx ;;
    *) test_modules= ;;
esac
# A foreign guest's userland (busybox here; dash, bash, kmod and jq in run-vm.sh) is Debian's own
# build for that architecture.
arch_root=
[ "$arch" = amd64 ] || arch_root=$("$VM_DIR/arch-root.sh" "$arch")

apt_opts=(-q -o DPkg::Lock::Timeout=600)
# apt-get download as root in a root-owned folder cannot drop to the _apt user.
[ "$(id -u)" -eq 0 ] && apt_opts+=(-o APT::Sandbox::User=root)

exec 9>"$out.lock"
flock 9

updated=0
apt_update_once() {
    [ $updated = 0 ] || return 1
    updated=1
    if [ "$(id -u)" -ne 0 ]; then
        vm_say "apt lists look stale and updating them needs root (run: sudo apt-get update)"
        return 1
    fi
    vm_say "apt-get update (package lists are missing or stale)"
    flock "$VM_CACHE/apt.lock" apt-get "${apt_opts[@]}" update >&2
}

# apt-cache is slow on a loaded machine (a second or more per call), so each resolution step asks
# for all its packages at once and keeps "package field" -> value.
declare -A apt_info
apt_load() {
    local pkg= line
    while IFS= read -r line; do
        case $line in
            "Package: "*) pkg=${line#Package: } ;;
            "Version: "* | "Depends: "*) apt_info["$pkg ${line%%:*}"]=${line#*: } ;;
        esac
    done < <(apt-cache show --no-all-versions "$@" 2>/dev/null || true)
}
apt_field() { echo "${apt_info["$1 $2"]:-}"; }

# A dependency list "a (= 1), b | c, d (>= 2)" -> the first name of each alternative, one a line.
dep_names() { tr ',' '\n' | sed -e 's/|.*//' -e 's/(.*//' -e 's/^ *//' -e 's/ *$//' | grep -v '^$'; }

resolve_custom() {
    apt_info=()
    apt_load "$custom_source" busybox-static
    if [ -z "$(apt_field "$custom_source" Version)" ]; then
        apt_update_once || true
        apt_load "$custom_source" busybox-static
    fi
    local src_ver bb_ver
    src_ver=$(apt_field "$custom_source" Version)
    bb_ver=$(apt_field busybox-static Version)
    [ -n "$src_ver" ] && [ -n "$bb_ver" ] || return 1
    pkgs=("$custom_source=$src_ver" "busybox-static=$bb_ver")
}

resolve() {
    if [ -n "$custom_source" ]; then resolve_custom; return; fi
    # The ABI in the package name (linux-image-6.1.0-56-amd64) changes with point releases and old
    # ones leave the mirror, so it is read from the meta package every time, never written down.
    apt_info=()
    apt_load "$meta" busybox-static
    if [ -z "$(apt_field "$meta" Version)" ]; then
        apt_update_once || true
        apt_load "$meta" busybox-static
    fi
    [ -n "$(apt_field "$meta" Version)" ] || return 1
    image_pkg=$(apt_field "$meta" Depends | dep_names | grep -m1 '^linux-image-') || return 1
    release=${image_pkg#linux-image-}
    local headers=linux-headers-$release
    apt_load "$image_pkg" "$headers"
    image_ver=$(apt_field "$image_pkg" Version)
    [ -n "$image_ver" ] && [ -n "$(apt_field "$headers" Version)" ] || return 1
    # Pin every headers/kbuild package to the image's version: linux-kbuild-6.1 has several
    # versions in the archive and only the matching one fits the headers.
    pkgs=("$image_pkg=$image_ver" "$headers=$image_ver")
    local d
    for d in $(apt_field "$headers" Depends | dep_names | grep -E '^linux-(headers|kbuild)-'); do
        pkgs+=("$d=$image_ver")
    done
    local bb_ver
    bb_ver=$(apt_field busybox-static Version)
    [ -n "$bb_ver" ] || return 1
    pkgs+=("busybox-static=$bb_ver")
}

deb_path() {  # name=version -> the file apt-get download writes (epoch colon as %3a)
    local name=${1%%=*} ver=${1#*=}
    compgen -G "$debs/${name}_${ver//:/%3a}_*.deb" | head -n1
}

download() {
    local missing=() p
    for p in "${pkgs[@]}"; do [ -n "$(deb_path "$p")" ] || missing+=("$p"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    vm_say "downloading ${missing[*]}"
    local tmp ok=1
    tmp=$(mktemp -d "$debs/.download.XXXXXX")
    (cd "$tmp" && flock "$VM_CACHE/apt.lock" apt-get "${apt_opts[@]}" download "${missing[@]}" >&2) || ok=0
    [ $ok = 1 ] && mv "$tmp"/*.deb "$debs"/
    rm -rf "$tmp"
    [ $ok = 1 ] && return 0
    # A 404 means the lists name a version the mirror no longer has.
    apt_update_once || return 1
    return 2
}

# run-vm.sh passes --keep-versions: resolving through apt costs seconds, and the CTest fixture (or a
# manual run of this script) has already resolved the versions; local inputs are still checked.
if [ $keep_versions = 1 ] && [ -s "$out/packages" ]; then
    mapfile -t pkgs <"$out/packages"
elif resolve; then
    :
elif [ -s "$out/packages" ]; then
    # Offline, or apt does not know the package: the versions of the previous build.
    vm_say "warning: cannot resolve $meta through apt; staying with $(head -n1 "$out/packages")"
    mapfile -t pkgs <"$out/packages"
else
    vm_die "cannot resolve $meta through apt (is this Debian 12 with its package lists?)"
fi
rc=0
download || rc=$?
if [ $rc = 2 ]; then resolve && download || vm_die "download failed after apt-get update"; fi
[ $rc = 1 ] && vm_die "download of ${pkgs[*]} failed"
printf '%s\n' "${pkgs[@]}" >"$out/packages.new"

# The key covers everything the output is made of: package versions, this script, the test module
# sources and the host tools that write the output (depmod, the compiler).
key=$( {
    cat "$out/packages.new"
    printf '%s\n' "${guest_modules[@]}"
    sha256sum "$0" "$VM_DIR/host-lib.sh" "$kconfig_fragment" ${test_modules:+"$test_modules"/*} | awk '{print $1}'
    dpkg-query -W kmod gcc-12 binutils 2>/dev/null || true
    if [ -n "$arch_root" ]; then
        dpkg-query -W "gcc-$triplet" "binutils-$triplet" 2>/dev/null || true
        sha256sum "$arch_root/bin/busybox" | cut -d' ' -f1
    fi
} | sha256sum | cut -d' ' -f1)
kimage=$(vm_kernel_image "$arch")
if [ -f "$out/key" ] && [ "$(cat "$out/key")" = "$key" ] && [ -s "$out/$kimage" ] && [ -s "$out/modules.cpio" ] && [ -s "$out/busybox.cpio" ]; then
    rm -f "$out/packages.new"
    exit 0
fi

started=$(date +%s%N)
work=$VM_CACHE/work/$meta
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
vm_say "building the $meta guest in $work"

for p in "${pkgs[@]}"; do
    case ${p%%=*} in
        linux-image-*) dpkg -x "$(deb_path "$p")" "$work/kernel" ;;
        linux-headers-* | linux-kbuild-*) dpkg -x "$(deb_path "$p")" "$work/headers" ;;
        linux-source-*) src_deb=$(deb_path "$p") ;;
        busybox-static) bb_deb=$(deb_path "$p") ;;
    esac
done
stage=$work/stage

# Debian's binary kernel: sets release and kdir (the tree the variant modules build against), and
# fills $stage/lib/modules/$release with the guest's module subset.
debian_kernel() {
    release=$(basename "$(compgen -G "$work/kernel/lib/modules/*" | head -n1)")
    [ -n "$release" ] || vm_die "no /lib/modules in the $meta package"

    # 1. The kernel as an ELF vmlinux. vmlinuz is a bzImage holding a compressed vmlinux (xz in
    #    6.1, zstd in 6.12): find the compressed stream's magic and unpack from there, the way the
    #    kernel's scripts/extract-vmlinux does. Trailing data after the stream makes the
    #    decompressor complain, so success is judged by the ELF header of the result.
    extract_vmlinux() {
        local image=$1 dest=$2 magic tool off
        for pair in 'xz:\xfd7zXZ\x00' 'zstd:\x28\xb5\x2f\xfd' 'gzip:\x1f\x8b\x08'; do
            tool=${pair%%:*} magic=${pair#*:}
            for off in $(LC_ALL=C grep -aobUP "$magic" "$image" | cut -d: -f1 | head -n5); do
                tail -c +$((off + 1)) "$image" | "$tool" -dc 2>/dev/null >"$dest" || true
                if [ "$(head -c4 "$dest" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then return 0; fi
            done
        done
        return 1
    }
    extract_vmlinux "$work/kernel/boot/vmlinuz-$release" "$work/vmlinux" || vm_die "cannot extract vmlinux from vmlinuz-$release"

    # 2. The module subset. The .deb ships no modules.dep (depmod runs at install time), so depmod
    #    runs once on the whole unpacked tree to answer --show-depends, and again on the subset.
    depmod -b "$work/kernel" "$release"
    local moddir=lib/modules/$release m ko rel
    mkdir -p "$stage/$moddir"
    for m in "${guest_modules[@]}"; do
        modprobe -d "$work/kernel" -S "$release" --show-depends "$m" | awk '$1 == "insmod" {print $2}'
    done | sort -u | while read -r ko; do
        rel=${ko#"$work/kernel/"}
        mkdir -p "$stage/$(dirname "$rel")"
        cp "$ko" "$stage/$rel"
    done
    cp "$work/kernel/$moddir"/modules.{builtin,builtin.modinfo,order} "$stage/$moddir/"

    kdir=$work/headers/usr/src/linux-headers-$release
    [ -d "$kdir" ] || vm_die "no $kdir in the headers packages"
    # The arch headers' Makefile includes the common headers by absolute /usr/src path; point it
    # at the unpacked copy. scripts/ and tools/ are relative links into the unpacked linux-kbuild.
    sed -i "s#include /usr/src/#include $work/headers/usr/src/#" "$kdir/Makefile"
}

# The kernel built here from Debian's linux-source: the same outputs as debian_kernel. Every module
# it builds goes into the guest (the configuration only asks for the ones the scenarios use).
custom_kernel() {
    [ -f "$kconfig_fragment" ] || vm_die "no $kconfig_fragment"
    dpkg -x "$src_deb" "$work/source-deb"
    local tarball
    tarball=$(compgen -G "$work/source-deb/usr/src/linux-source-*.tar.xz" | head -n1)
    [ -n "$tarball" ] || vm_die "no source tarball in $src_deb"
    tar -xf "$tarball" -C "$work"
    rm -rf "$work/source-deb"
    kdir=$(compgen -G "$work/linux-source-*" | head -n1)
    # allnoconfig with the fragment: everything the fragment does not ask for is off (or at its
    # default where EXPERT hides it, which is how printk, futex, epoll ... stay on). Kconfig drops
    # an option whose dependencies fail without a word, so each line is checked afterwards.
    "${kmake[@]}" -s -C "$kdir" allnoconfig KCONFIG_ALLCONFIG="$kconfig_fragment" >&2
    local line missing=()
    while IFS= read -r line; do
        case $line in CONFIG_*=*) grep -qxF "$line" "$kdir/.config" || missing+=("$line") ;; esac
    done <"$kconfig_fragment"
    [ ${#missing[@]} -eq 0 ] || vm_die "Kconfig did not take ${missing[*]} (a dependency changed?)"
    vm_say "compiling $(basename "$kdir") for $arch ($(nproc) jobs; about 6 minutes on 2 cores)"
    # The make target and where it leaves the file: x86's ELF vmlinux (QEMU's PVH entry), arm64's
    # Image, s390's bzImage (uncompressed inside, CONFIG_KERNEL_UNCOMPRESSED).
    local target=$kimage image=$kimage
    case $arch in
        arm64) image=arch/arm64/boot/Image ;;
        s390x) image=arch/s390/boot/bzImage ;;
    esac
    "${kmake[@]}" -s -C "$kdir" -j"$(nproc)" "$target" modules >&2 || vm_die "the custom kernel does not build"
    release=$("${kmake[@]}" -s -C "$kdir" kernelrelease)
    "${kmake[@]}" -s -C "$kdir" INSTALL_MOD_PATH="$stage" DEPMOD=true modules_install >&2
    # modules_install links build/ and source/ back into the tree, which is removed afterwards.
    rm -f "$stage/lib/modules/$release"/{build,source}
    cp "$kdir/$image" "$work/$kimage"
}

if [ -n "$custom_source" ]; then custom_kernel; else debian_kernel; fi
moddir=lib/modules/$release

# 3. The test modules (see test_modules above; QEMU emulates no CDX hardware, hence tests/vm/cdx).
if [ -n "$test_modules" ]; then
    cp -r "$test_modules" "$work/test-modules"
    # Debian's 6.12 headers ask for BTF in modules, which needs pahole; the test modules need no BTF.
    "${kmake[@]}" -s -C "$kdir" M="$work/test-modules" CONFIG_DEBUG_INFO_BTF_MODULES= modules >&2 \
        || vm_die "the test modules in $test_modules do not build against $release"
    mkdir -p "$stage/$moddir/updates/vfioctl-test"
    cp "$work"/test-modules/*.ko "$stage/$moddir/updates/vfioctl-test/"
fi

depmod -b "$stage" "$release"
case $arch in
    amd64) alias_check='^alias vfio_pci:.* vfioctl_test_' ;;
    arm64) alias_check='^alias vfio_cdx:.* vfio_cdx$' ;;
    *) alias_check= ;;
esac
if [ -n "$alias_check" ]; then
    grep -q "$alias_check" "$stage/$moddir/modules.alias" \
        || vm_die "depmod's modules.alias has no line like $alias_check"
fi

# 4. Archive: real directories only. An appended cpio with a lib/ entry would replace a
#    lib -> usr/lib symlink with an empty folder, so nothing here is a merged-/usr link.
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$work/modules.cpio"

# 5. busybox-static, only unpacked, never installed (that would replace the host's busybox), with a
#    link per applet. Debian's busybox sh runs its own applets ahead of PATH, so it is not the shell,
#    and no applet may shadow what run-vm.sh copies from the host: dash as sh, bash, jq and the kmod
#    tools (busybox's modprobe has no -R and ignores softdeps). A foreign guest gets its own
#    architecture's busybox; the applet list comes from the host's build of the same package.
dpkg -x "$bb_deb" "$work/busybox-deb"
bb=$work/busybox
mkdir -p "$bb"/{bin,sbin,usr/bin,usr/sbin}
if [ -n "$arch_root" ]; then cp "$arch_root/bin/busybox" "$bb/bin/busybox"; else cp "$work/busybox-deb/bin/busybox" "$bb/bin/busybox"; fi
"$work/busybox-deb/bin/busybox" --list-full | while read -r applet; do
    case ${applet##*/} in
        sh | dash | bash | jq | kmod | modprobe | insmod | rmmod | lsmod | depmod | modinfo) continue ;;
    esac
    [ -e "$bb/$applet" ] || ln -s /bin/busybox "$bb/$applet"
done
(cd "$bb" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$work/busybox.cpio"

find "$stage/$moddir" -name '*.ko*' -printf '%P\n' | LC_ALL=C sort >"$out/modules.txt"
mv "$work/$kimage" "$out/$kimage"
mv "$work/modules.cpio" "$out/modules.cpio"
mv "$work/busybox.cpio" "$out/busybox.cpio"
echo "$release" >"$out/release"
mv "$out/packages.new" "$out/packages"
echo "$key" >"$out/key"
vm_say "built the $meta guest ($release) in $(( ($(date +%s%N) - started) / 1000000 )) ms"
