#!/bin/sh
# The boot unit as systemd itself reads it: systemd-analyze verify reports unknown keys and
# sections, bad dependencies and an ExecStart that is not executable (warnings fail too). ExecStart is pointed at
# the built binary and man pages are not looked up: both are installed only by cmake --install.
#   verify-unit.sh UNIT BUILT-BINARY INSTALLED-SBIN-DIR
set -eu
unit=$1 binary=$2 sbin=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
sed "s|$sbin/vfioctl|$binary|" "$unit" >"$dir/vfioctl.service"
grep -q "^ExecStart=$binary apply\$" "$dir/vfioctl.service" || { echo "ExecStart is not '$binary apply'" >&2; exit 1; }
# It exits 0 on warnings such as an unknown key ("... ignoring"): any message is a failure here.
out=$(systemd-analyze verify --man=no "$dir/vfioctl.service" 2>&1) || { echo "$out" >&2; exit 1; }
if [ -n "$out" ]; then echo "$out" >&2; exit 1; fi
echo "systemd-analyze verify: $unit is valid"
