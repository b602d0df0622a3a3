#!/usr/bin/env bash
# Fetches Debian 12's own packages of a foreign guest architecture (arm64, s390x) and unpacks them into
# one folder, $VM_CACHE/arch/<arch>/root. Nothing is installed and the host's dpkg is not told
# about the architecture: apt runs with private lists, an empty package status and its download
# cache under the same folder, so the host stays as it was.
#
#   tests/vm/arch-root.sh arm64     prints the root's path when it is current (or s390x)
#
# The root serves twice:
#   - as the sysroot the cross build of vfioctl and the VM client compiles and links against
#     (cross-build.sh): the -dev packages of every library vfioctl uses, and glibc's;
#   - as the guest's userland, where run-vm.sh takes dash, bash, kmod, jq, udevadm and busybox from (on
#     x86 it takes the host's own).
# Absolute symlinks in the packages (libm.so -> /lib/...) are made relative, so they resolve
# inside the root. Idempotent (a key over the resolved versions) and safe to run concurrently.
set -euo pipefail
. "$(dirname "$0")/host-lib.sh"

[ $# -eq 1 ] || { echo "usage: $0 ARCH" >&2; exit 2; }
arch=$1
case $arch in
    arm64 | s390x) ;;
    *) vm_die "arch-root.sh knows arm64 and s390x, not '$arch'" ;;
esac
base=$VM_CACHE/arch/$arch
root=$base/root
mkdir -p "$base/lists/partial" "$base/cache/archives/partial"
: >>"$base/status"

# The guest's programs, and the -dev packages of CMakeLists.txt's find_package/pkg_check_modules
# list plus the C and C++ runtime the cross compiler links against. apt resolves the rest.
packages=(
    dash bash kmod jq busybox-static udev
    libc6-dev libstdc++-12-dev
    libkmod-dev libpci-dev libfmt-dev libtomlplusplus-dev nlohmann-json3-dev libcli11-dev
)

apt_opts=(-q
    -o "Dir::State::Lists=$base/lists" -o "Dir::State::status=$base/status" -o "Dir::Cache=$base/cache"
    -o "APT::Architecture=$arch" -o "APT::Architectures::=$arch"
    # Private lists and cache: neither dpkg's lock nor the host's apt lock is involved.
    -o Debug::NoLocking=1 -o APT::Install-Recommends=0)
[ "$(id -u)" -eq 0 ] && apt_opts+=(-o APT::Sandbox::User=root)

exec 9>"$base.lock"
flock 9

# The versions an install would take, as "name=version" lines (empty status: the whole closure).
resolve() {
    apt-get "${apt_opts[@]}" install -s "${packages[@]}" 2>/dev/null |
        sed -n 's/^Inst \([^ ]*\) (\([^ ]*\) .*/\1=\2/p' | LC_ALL=C sort
}
resolved=$(resolve || true)
if [ -z "$resolved" ] || [ -z "$(find "$base/lists" -maxdepth 1 -name '*Packages*' -mtime -7 -print -quit)" ]; then
    vm_say "apt-get update for $arch (private lists in $base/lists)"
    apt-get "${apt_opts[@]}" update >&2 || [ -n "$resolved" ] || vm_die "apt-get update for $arch failed"
    resolved=$(resolve)
fi
[ -n "$resolved" ] || vm_die "apt cannot resolve the $arch packages: ${packages[*]}"

key=$( { echo "$resolved"; sha256sum "$0" | cut -d' ' -f1; } | sha256sum | cut -d' ' -f1)
if [ -f "$base/key" ] && [ "$(cat "$base/key")" = "$key" ] && [ -d "$root" ]; then
    echo "$root"
    exit 0
fi

vm_say "downloading $(wc -l <<<"$resolved") $arch packages"
mapfile -t pins <<<"$resolved"
apt-get "${apt_opts[@]}" -q=2 install -d -y "${pins[@]}" >/dev/null || vm_die "download of the $arch packages failed"

rm -rf "$root.new"
mkdir -p "$root.new"
for pin in "${pins[@]}"; do
    name=${pin%%=*} ver=${pin#*=}
    deb=$(compgen -G "$base/cache/archives/${name}_${ver//:/%3a}_*.deb" | head -n1)
    [ -n "$deb" ] || vm_die "apt downloaded no .deb for $pin"
    dpkg -x "$deb" "$root.new"
done
# /lib/<triplet>/libm.so.6 and friends: point them into the root.
find "$root.new" -type l -lname '/*' -print0 | while IFS= read -r -d '' link; do
    target=$(readlink "$link")
    ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$root.new$target")" "$link"
done
rm -rf "$root"
mv "$root.new" "$root"
# Old versions of packages that changed stay out of the next download's way.
find "$base/cache/archives" -name '*.deb' -mtime +30 -delete
echo "$key" >"$base/key"
echo "$root"
