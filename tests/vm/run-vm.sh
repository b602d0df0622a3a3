#!/usr/bin/env bash
# Boots the test guest with one scenario (once, or N times for "# vm-boots: N") and reports its
# checks; the exit status is the scenario's.
#
#   tests/vm/run-vm.sh [options] tests/vm/scenarios/10-status-sysfs.sh
#     --kernel PKG     kernel meta package (default linux-image-amd64; or linux-image-6.12-amd64),
#                      or custom-6.1, custom-6.12, custom-6.12-arm64, custom-6.12-s390x (kernels
#                      build-guest.sh compiles; see there). An -arm64 or -s390x kernel boots
#                      QEMU's machine of that architecture (machine-ARCH.sh) with Debian's
#                      userland of it (arch-root.sh) and needs vfioctl and the client built
#                      for it (cross-build.sh).
#     --vfioctl PATH   the vfioctl binary to test (default ./build/vfioctl of this checkout)
#     --client PATH    the VFIO client (default ./build/tests/vm/client/vfioctl-vm-client)
#     --log FILE       console log (default: a file under the cache's logs/)
#     --timeout SEC    wall-clock limit for QEMU (default: the scenario's "# vm-timeout:" or 300)
#     --shell          after the scenario, a bash on the console (Ctrl-A x quits QEMU); use
#                      /dev/null as the scenario for a shell only
# Environment: VFIOCTL_VM_ACCEL=auto|tcg|kvm, VFIOCTL_VM_APPEND (extra kernel arguments),
# VFIOCTL_VM_CACHE (cache folder, see host-lib.sh).
#
# A scenario may carry header lines, read here:
#   # vm-append: ARGS    extra kernel command-line arguments
#   # vm-qemu: ARGS      extra QEMU arguments (word-split), e.g. another -device
#   # vm-timeout: SEC    QEMU time limit per boot (CMakeLists.txt reads it too, for CTest's)
#   # vm-boots: N        boot N times; the guest's persist'ed files survive into the next boot
#   # vm-kernels: PKG... only these kernels (CMakeLists.txt reads it; default: Debian's two;
#                      custom-6.1 runs only where it is named)
#   # vm-ssdt: FILE.asl  an ACPI table from tests/vm/acpi, compiled with iasl, added with -acpitable
#   # vm-udev: yes       add udevd, Debian's 80-drivers.rules and dist/udev/70-vfioctl.rules
# and a companion NN-name.host.sh, run on the host beside QEMU with VM_QMP (QMP socket),
# VM_CONSOLE (console log) and VM_DIR (tests/vm) set, for what the guest cannot do itself, such
# as hotplug: `python3 "$VM_DIR/qmp.py" --wait-console 'TEXT' device_del '{"id": "nic1"}'`.
#
# Exit status: the scenario's (0 all checks passed); 124 timeout; 125 no result (panic, QEMU error).
set -euo pipefail
. "$(dirname "$0")/host-lib.sh"

repo=$(cd "$VM_DIR/../.." && pwd)
kernel=linux-image-amd64
vfioctl=$repo/build/vfioctl
client=$repo/build/tests/vm/client/vfioctl-vm-client
log= timeout_s= shell=0
while [ $# -gt 0 ]; do
    case $1 in
        --kernel) kernel=$2; shift 2 ;;
        --vfioctl) vfioctl=$2; shift 2 ;;
        --client) client=$2; shift 2 ;;
        --log) log=$2; shift 2 ;;
        --timeout) timeout_s=$2; shift 2 ;;
        --shell) shell=1; shift ;;
        -*) echo "run-vm.sh: unknown option $1" >&2; exit 2 ;;
        *) break ;;
    esac
done
[ $# -eq 1 ] || { sed -n '2,/^set -euo/p' "$0" | sed '$d' >&2; exit 2; }
scenario=$1
[ -f "$scenario" ] || vm_die "no scenario file $scenario"
for f in "$vfioctl" "$client"; do [ -x "$f" ] || vm_die "$f is not built (cmake --build build)"; done
arch=$(vm_kernel_arch "$kernel")
strip=strip
vm_host_tools=()
if [ "$arch" = amd64 ]; then
    . "$VM_DIR/machine.sh"
else
    . "$VM_DIR/machine-$arch.sh"
    triplet=$(vm_arch_triplet "$arch")
    strip=$triplet-strip
fi
for tool in "$vm_qemu" cpio jq "$strip" "${vm_host_tools[@]}"; do
    command -v "$tool" >/dev/null || vm_die "$tool is missing: run scripts/install-deps.sh --vm"
done
name=$(basename "$scenario" .sh)
[ "$scenario" = /dev/null ] && name=shell
short=$(vm_kernel_short "$kernel")

header() { sed -n "s/^# $1: *//p" "$scenario" | head -n1; }
[ -n "$timeout_s" ] || timeout_s=$(header vm-timeout)
[ -n "$timeout_s" ] || timeout_s=300

"$VM_DIR/build-guest.sh" --keep-versions "$kernel"
guest=$(vm_guest_dir "$kernel")
release=$(cat "$guest/release")
kimage=$guest/$(vm_kernel_image "$arch")
# The foreign guest's programs and libraries: Debian's own build for its architecture.
aroot=
if [ "$arch" != amd64 ]; then
    aroot=$VM_CACHE/arch/$arch/root
    [ -d "$aroot" ] || "$VM_DIR/arch-root.sh" "$arch" >/dev/null
fi

run=$(mktemp -d "${TMPDIR:-/tmp}/vfioctl-vm.XXXXXX")
cleanup() { [ -n "${hook_pid:-}" ] && kill "$hook_pid" 2>/dev/null; rm -rf "$run"; }
trap cleanup EXIT
if [ -z "$log" ]; then
    mkdir -p "$VM_CACHE/logs"
    log=$VM_CACHE/logs/$short-$name.log
fi
mkdir -p "$(dirname "$log")"

# ---- the per-run overlay: dash/bash/kmod/jq, vfioctl, the client, init and the scenario. On x86
# these are the host's; binaries carry their shared libraries (ldd) to the same paths. A foreign
# guest's come from its architecture's root (arch-root.sh), whose libraries are found by the ELF
# file's own DT_NEEDED list and program interpreter, the way its dynamic loader will. Every folder
# is real: no merged-/usr links, which a later cpio entry would turn into empty folders.
ov=$run/root
mkdir -p "$ov"/{bin,sbin,lib,lib64,usr/bin,usr/sbin,usr/lib,usr/share/misc,etc,proc,sys,dev,tmp,run,root,var,vmtest/bin}
copy_lib() {  # GUEST-PATH (a file of $aroot, or of the host)
    [ -e "$ov$1" ] && return 0
    mkdir -p "$ov${1%/*}"
    cp -L "$aroot$1" "$ov$1"
}
foreign_libs() {  # ELF: the guest paths of its interpreter and of every library it loads, in $aroot
    local -A seen=()
    local todo=("$1") f lib dir found
    readelf -lW "$1" | sed -n 's/.*Requesting program interpreter: \(.*\)\]/\1/p'
    while [ ${#todo[@]} -gt 0 ]; do
        f=${todo[0]}
        todo=("${todo[@]:1}")
        for lib in $(readelf -dW "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
            [ -n "${seen[$lib]:-}" ] && continue
            seen[$lib]=1
            found=
            for dir in "/lib/$triplet" "/usr/lib/$triplet" /lib /usr/lib; do
                if [ -e "$aroot$dir/$lib" ]; then found=$dir/$lib; break; fi
            done
            [ -n "$found" ] || vm_die "$1 needs $lib, which the $arch root does not have"
            echo "$found"
            todo+=("$aroot$found")
        done
    done
}
copy_elf() {  # SOURCE DEST-IN-GUEST
    cp -L "$1" "$ov$2"
    if [ -n "$aroot" ]; then
        foreign_libs "$1" | while read -r lib; do copy_lib "$lib"; done
        return
    fi
    ldd "$1" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' |
        while read -r lib; do copy_lib "$lib"; done
}
copy_elf "$aroot/bin/dash" /bin/dash
ln -s dash "$ov/bin/sh"
copy_elf "$aroot/bin/bash" /bin/bash
copy_elf "$aroot/bin/kmod" /bin/kmod
# build-guest.sh leaves these names out of busybox's applet links.
for t in modprobe insmod rmmod lsmod depmod modinfo; do ln -s /bin/kmod "$ov/sbin/$t"; done
if [ -n "$aroot" ]; then copy_elf "$aroot/usr/bin/jq" /usr/bin/jq; else copy_elf "$(command -v jq)" /usr/bin/jq; fi
copy_elf "$vfioctl" /vmtest/bin/vfioctl
copy_elf "$client" /vmtest/bin/vfio-client
# Debug info is most of a RelWithDebInfo binary and only slows the initramfs unpacking down.
"$strip" --strip-debug "$ov/vmtest/bin/vfioctl" "$ov/vmtest/bin/vfio-client"
[ -f /usr/share/misc/pci.ids ] && cp -L /usr/share/misc/pci.ids "$ov/usr/share/misc/pci.ids"
# "# vm-udev: yes": Debian's udevd (udevadm, which is systemd-udevd by another name; the host's,
# or a foreign guest's from its arch root), Debian's 80-drivers.rules (the kmod builtin that loads
# host drivers) and vfioctl's own rule, with the guest's vfioctl path, so a scenario runs hotplug
# the way a Debian host does.
if [ "$(header vm-udev)" = yes ]; then
    udevadm=$aroot/bin/udevadm
    [ -n "$aroot" ] || udevadm=$(command -v udevadm) || vm_die "udevadm is missing: install udev"
    [ -x "$udevadm" ] || vm_die "no $udevadm (arch-root.sh fetches udev)"
    mkdir -p "$ov/lib/systemd" "$ov/lib/udev/rules.d" "$ov/etc/udev"
    copy_elf "$udevadm" /bin/udevadm
    ln -s /bin/udevadm "$ov/lib/systemd/systemd-udevd"
    cp "$aroot/lib/udev/rules.d/80-drivers.rules" "$ov/lib/udev/rules.d/"
    sed 's|@VFIOCTL_SBIN@|/vmtest/bin|g' "$repo/dist/udev/70-vfioctl.rules.in" >"$ov/lib/udev/rules.d/70-vfioctl.rules"
fi
cp "$VM_DIR/guest/init" "$ov/init"
cp "$VM_DIR/guest/lib.sh" "$ov/vmtest/lib.sh"
cp "$scenario" "$ov/vmtest/scenario.sh"
echo "$name" >"$ov/vmtest/name"
chmod 755 "$ov/init"
(cd "$ov" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$run/overlay.cpio"
# Concatenated cpio archives unpack in order (later entries win). None is compressed: inflating
# under TCG costs more boot time than QEMU's copy of a few more MiB.
cat "$guest/modules.cpio" "$guest/busybox.cpio" "$run/overlay.cpio" >"$run/initrd"

# ---- QEMU
accel=${VFIOCTL_VM_ACCEL:-auto}
# A foreign guest on an x86 host is emulated, whatever /dev/kvm says.
[ "$arch" = amd64 ] || accel=tcg
if [ "$accel" = auto ]; then
    # KVM only where it is real: a writable /dev/kvm, a CPU with VT-x/AMD-V, and not kvm_pvm, the
    # pagetable-based KVM of some cloud hosts that emulates a normal guest too slowly to boot.
    accel=tcg
    if [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo && [ ! -d /sys/module/kvm_pvm ]; then accel=kvm; fi
fi
case $accel in
    kvm) cpu=host ;;
    tcg) cpu=$vm_tcg_cpu ;;
    *) vm_die "VFIOCTL_VM_ACCEL must be auto, tcg or kvm" ;;
esac
boots=$(header vm-boots)
boots=${boots:-1}
# no_timer_check: on a busy host, TCG can starve the guest's boot-time check that the timer
# interrupt arrives through the remapped IO-APIC, and 6.1 then panics ("timer doesn't work through
# Interrupt-remapped IO-APIC"). The check proves nothing about VFIO.
append="console=$vm_console panic=-1 quiet loglevel=4 vfioctl.vmtest=1"
[ "$arch" = amd64 ] && append+=" intel_iommu=on iommu=pt no_timer_check"
[ "$boots" -gt 1 ] && append+=" vfioctl.boots=$boots"
[ -n "$(header vm-append)" ] && append+=" $(header vm-append)"
[ -n "${VFIOCTL_VM_APPEND:-}" ] && append+=" $VFIOCTL_VM_APPEND"
[ $shell = 1 ] && append+=" vfioctl.shell=1"
read -r -a extra_qemu <<<"$(header vm-qemu)"
ssdt=$(header vm-ssdt)
if [ -n "$ssdt" ]; then
    [ "$arch" = amd64 ] || vm_die "# vm-ssdt: the $arch guest boots from a device tree, not ACPI"
    command -v iasl >/dev/null || vm_die "iasl is missing: run scripts/install-deps.sh --vm"
    [ -f "$VM_DIR/acpi/$ssdt" ] || vm_die "no ACPI source $VM_DIR/acpi/$ssdt"
    iasl -p "$run/${ssdt%.asl}" "$VM_DIR/acpi/$ssdt" >"$run/iasl.log" 2>&1 || { cat "$run/iasl.log" >&2; vm_die "iasl failed on $ssdt"; }
    extra_qemu+=(-acpitable "file=$run/${ssdt%.asl}.aml")
fi
# The arm64 board boots from QEMU's own device tree with the test devices' changes.
if declare -F vm_machine_dtb >/dev/null; then
    vm_machine_dtb "$run/machine.dtb"
    extra_qemu+=(-dtb "$run/machine.dtb")
fi
qemu_cmd() {  # BOOT-NUMBER INITRD
    qemu=("$vm_qemu" "${vm_machine_args[@]}" "${extra_qemu[@]}"
        -accel "$accel" -cpu "$cpu" -nodefaults -nographic -serial mon:stdio -no-reboot
        -qmp "unix:$run/qmp.sock,server=on,wait=off"
        -kernel "$kimage" -initrd "$2" -append "$append vfioctl.boot=$1")
}

if [ $shell = 1 ]; then
    echo "vm: shell in the $short guest ($release); scenario output first. Ctrl-A x quits." >&2
    qemu_cmd 1 "$run/initrd"
    "${qemu[@]}"
    exit 0
fi

: >"$log"  # truncated: results are read from it
echo "vm: scenario $name, kernel $kernel ($release), accel $accel, $boots boot(s)" >>"$log"
echo "vm: $short/$name on $release ($accel), console log $log"

# boot_once N INITRD: one QEMU run; its console (CRs removed) in $run/console-N.txt, appended to
# the log. Sets qemu_rc and wall_s.
boot_once() {
    local n=$1 part=$run/console-$1.log start wall hook=${scenario%.sh}.host.sh
    qemu_cmd "$n" "$2"
    echo "vm: boot $n: ${qemu[*]}" >"$part"
    if [ -f "$hook" ]; then
        VM_DIR=$VM_DIR VM_QMP=$run/qmp.sock VM_CONSOLE=$part VM_BOOT=$n bash "$hook" >"$run/hook.log" 2>&1 &
        hook_pid=$!
    fi
    start=$(date +%s%N)
    qemu_rc=0
    timeout --kill-after=10 "$timeout_s" "${qemu[@]}" </dev/null >>"$part" 2>&1 || qemu_rc=$?
    wall=$(( ($(date +%s%N) - start) / 1000000 ))
    wall_s=$((wall / 1000)).$((wall % 1000 / 100))
    if [ -n "${hook_pid:-}" ]; then
        kill "$hook_pid" 2>/dev/null || true
        wait "$hook_pid" 2>/dev/null || true
        hook_pid=
        sed 's/^/host hook: /' "$run/hook.log" >>"$part"
    fi
    cat "$part" >>"$log"
    tr -d '\r' <"$part" >"$run/console-$n.txt"
}

# verdict N: this boot's status from its console: the guest's rc, 1 if a FAIL line or no check
# at all, 124 on timeout, 125 without a result line (kernel panic, init failure, QEMU error).
verdict() {
    local console=$run/console-$1.txt result passed failed rc
    result=$(grep -a -m1 '^VFIOCTL-VM-RESULT: rc=' "$console" || true)
    passed=$(grep -ac '^PASS: ' "$console" || true)
    failed=$(grep -ac '^FAIL: ' "$console" || true)
    total_passed=$((total_passed + passed))
    total_failed=$((total_failed + failed))
    if [ "$qemu_rc" = 124 ] || [ "$qemu_rc" = 137 ]; then
        echo "vm: TIMEOUT: QEMU still running after ${timeout_s}s"
        return 124
    elif [ -z "$result" ]; then
        echo "vm: NO RESULT: the guest ended without a result line (kernel panic, init failure or QEMU error $qemu_rc)"
        return 125
    fi
    rc=$(sed -n 's/^VFIOCTL-VM-RESULT: rc=\([0-9]*\).*/\1/p' <<<"$result")
    if [ "$rc" = 0 ] && [ "$failed" != 0 ]; then rc=1; fi
    if [ "$rc" = 0 ] && [ "$passed" = 0 ]; then
        echo "vm: the scenario ran no check"
        rc=1
    fi
    return "$rc"
}

# A scenario with "# vm-boots: N" runs N times on one machine; what it hands to persist (helper
# persist in guest/lib.sh) comes back on the console as a base64 cpio between two markers, and
# goes into the next boot's initramfs, the way files on a disk would survive a reboot.
rc=0 total_passed=0 total_failed=0 initrd=$run/initrd
for ((n = 1; n <= boots; n++)); do
    boot_once "$n" "$initrd"
    # Not anchored: a kernel that prints nothing before init leaves SeaBIOS's "Booting from ROM.."
    # at the start of init's first line (custom-6.1 does).
    if ! grep -aq 'vm: init (boot ' "$run/console-$n.txt" && [ "$qemu_rc" != 124 ]; then
        # The kernel died before running anything of ours: a boot-time flake of the emulator on a
        # loaded host, not a result. One more try; its console follows the first in the log.
        echo "vm: boot $n never reached init (QEMU exit $qemu_rc); booting again"
        tail -n 5 "$run/console-$n.txt" | sed 's/^/    /'
        boot_once "$n" "$initrd"
    fi
    [ "$boots" -gt 1 ] && echo "vm: ---- boot $n of $boots"
    echo "vm: QEMU ${wall_s}s"
    sed -n '/^VFIOCTL-VM-BEGIN$/,/^VFIOCTL-VM-RESULT: /p' "$run/console-$n.txt" | sed '1d;/^VFIOCTL-VM-RESULT: /d'
    boot_rc=0
    verdict "$n" || boot_rc=$?
    [ $rc = 0 ] && rc=$boot_rc
    [ $boot_rc = 0 ] || break
    if [ "$n" -lt "$boots" ]; then
        cp "$run/initrd" "$run/initrd-$((n + 1))"
        sed -n '/^VFIOCTL-VM-STATE-BEGIN$/,/^VFIOCTL-VM-STATE-END$/p' "$run/console-$n.txt" | sed '1d;$d' |
            base64 -d | gzip -dc >>"$run/initrd-$((n + 1))" || { echo "vm: boot $n handed over no readable state"; rc=1; break; }
        initrd=$run/initrd-$((n + 1))
    fi
done

if [ "$rc" != 0 ]; then
    echo
    echo "vm: ---- FAILED: $short/$name ($total_passed passed, $total_failed failed, rc $rc) ----"
    cat "$run"/console-*.txt | grep -a '^FAIL: ' || true
    echo "vm: ---- last 40 console lines ($log) ----"
    tail -n 40 "$run/console-$n.txt" 2>/dev/null || tail -n 40 "$log"
else
    echo "vm: $short/$name passed ($total_passed checks)"
fi
exit "$rc"
