# Helpers for the guest side of every scenario (bash). Sourced as /vmtest/lib.sh.
# It refuses to run anywhere but the test VM: the scenarios write to sysfs and unbind drivers, which
# on a host would take its devices away.
case " $(cat /proc/cmdline 2>/dev/null) " in
    *" vfioctl.vmtest=1 "*) ;;
    *)
        echo "lib.sh: refusing to run: no vfioctl.vmtest=1 on the kernel command line, so this is not the vfioctl test VM" >&2
        exit 99
        ;;
esac

# ---- the machine (tests/vm/machine.sh builds it; keep the two in step)
NIC0=0000:01:00.0        # e1000e 8086:10d3, root port 1, own group
NIC1=0000:02:00.0        # e1000e 8086:10d3, root port 2, own group
NVME=0000:03:00.0        # plain NVMe 1b36:0010
NVME_PF=0000:04:00.0     # SR-IOV NVMe PF, 2 VFs
NVME_VF1=0000:04:00.1    # VFs exist once sriov_enable has run
NVME_VF2=0000:04:00.2
PCI_BRIDGE=0000:05:00.0  # pcie-pci-bridge 1b36:000e
BR_NIC0=0000:06:01.0     # e1000 8086:100e behind the bridge; one group with the bridge and BR_NIC1
BR_NIC1=0000:06:02.0
# The arm64 guest (tests/vm/machine-arm64.sh): AMBA and DT platform devices.
RTC_AMBA=9010000.pl031               # PL031, rtc-pl031, "iommus" added: own group
GPIO_AMBA=9030000.pl061               # PL061, pl061_gpio, no "iommus": no group
XGMAC_DT=c100000.vfioctl-xgmac       # compatible "calxeda,hb-xgmac", no host driver
TESTNIC_DT=c110000.vfioctl-nic       # compatible "vfioctl,test-nic" "calxeda,hb-xgmac"
FWCFG_DT=9020000.fw-cfg              # QEMU's fw_cfg, no host driver in that kernel, no group
CDX_CTRL=c120000.vfioctl-cdx         # the stand-in CDX controller (tests/vm/cdx): iommu-map, dma-ranges, no msi-map
CDX_BUS=cdx-00                       # its bus device, on the cdx bus beside its functions
CDX_FN0=cdx-00:00                    # function 0, on vfioctl-test-cdx-host: bound to vfio-cdx
CDX_FN1=cdx-00:01                    # function 1, on vfioctl-test-cdx-host: stays
CDX_CTRL_NODMA=c130000.vfioctl-cdx   # a second one, with iommu-map but no dma-ranges
CDX_NODMA_FN0=cdx-10:00              # its function 0: no IOMMU group, however probed
# The s390x guest (tests/vm/machine-s390x.sh): virtio-ccw devices on I/O subchannels.
CCW_RNG=0.0.0000                     # subchannel of virtio-rng-ccw, device 0.0.0001: bound
CCW_RNG_DEV=0.0.0001
CCW_BALLOON=0.0.0001                 # subchannel of virtio-balloon-ccw, device 0.0.0002: stays
# The test variant drivers (tests/vm/variants): module name and PCI driver name.
VARIANT_MODULE=vfioctl_test_vfio_pci          # matches 8086:10d3; driver name differs from module
VARIANT_DRIVER=vfioctl-test-vfio-pci
VF_VARIANT_MODULE=vfioctl_test_vf_vfio_pci    # matches 1b36:0010; probe refuses anything but a VF
VF_VARIANT_DRIVER=vfioctl_test_vf_vfio_pci

VM_RESULTS=/run/vmtest-results  # one line per check, so checks made in subshells count too
touch "$VM_RESULTS"

# A scenario command that fails outside a check is a failure too, not noise on the console. This
# trips on the scenario's top-level commands (a function counts by its return status); the check
# helpers record their result and return 0, finish exits. Write "|| true" where a failure is
# expected and harmless.
trap 'fail "line $LINENO: unchecked command failed (exit $?): $BASH_COMMAND"' ERR

# ---- reporting
section() {
    local up
    read -r up _ </proc/uptime
    printf '\n=== %s  [uptime %ss]\n' "$*" "$up"
}
info() { printf '  %s\n' "$*"; }
pass() { printf 'PASS: %s\n' "$*"; echo P >>"$VM_RESULTS"; }
fail() { printf 'FAIL: %s\n' "$*"; echo F >>"$VM_RESULTS"; }
indent() { sed 's/^/      /'; }

# The check helpers print PASS/FAIL and return 0 either way, so a failed check never stops the
# scenario; a failure also shows what was compared.

# check DESCRIPTION COMMAND...: passes when COMMAND exits 0; on failure its output is shown.
check() {
    local desc=$1 out rc=0
    shift
    out=$("$@" 2>&1) || rc=$?
    if [ $rc -eq 0 ]; then
        pass "$desc"
    else
        fail "$desc (exit $rc from: $*)"
        [ -z "$out" ] || printf '%s\n' "$out" | indent
    fi
}

# check_fails DESCRIPTION COMMAND...: passes when COMMAND exits non-zero.
check_fails() {
    local desc=$1 out rc=0
    shift
    out=$("$@" 2>&1) || rc=$?
    if [ $rc -ne 0 ]; then
        pass "$desc (exit $rc)"
    else
        fail "$desc (expected failure, but it succeeded: $*)"
        [ -z "$out" ] || printf '%s\n' "$out" | indent
    fi
}

check_eq() {  # DESCRIPTION EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then
        pass "$1 (= '$2')"
    else
        fail "$1"
        printf '      expected: %s\n      actual:   %s\n' "$2" "$3"
    fi
}

check_ne() {  # DESCRIPTION UNEXPECTED ACTUAL
    if [ "$2" != "$3" ]; then pass "$1 ('$3')"; else fail "$1 (got '$3')"; fi
}

check_exists() { if [ -e "$2" ]; then pass "$1 ($2 exists)"; else fail "$1 ($2 missing)"; fi; }
check_absent() { if [ ! -e "$2" ]; then pass "$1 ($2 absent)"; else fail "$1 ($2 exists)"; fi; }

# finish: the closing line; exits with the scenario's status (1 if any check failed).
finish() {
    local p f
    p=$(grep -c '^P$' "$VM_RESULTS" || true)
    f=$(grep -c '^F$' "$VM_RESULTS" || true)
    printf '\n%s passed, %s failed\n' "$p" "$f"
    [ "$f" -eq 0 ] && exit 0
    exit 1
}

# ---- sysfs: the kernel's own view, read directly (never through vfioctl). Every program start
# costs tens of milliseconds under TCG, so these use shell builtins only.
pci_dir() { echo "/sys/bus/pci/devices/$1"; }
read_attr() { local v; read -r v <"$1" && echo "${v#0x}"; }  # FILE: first line, without 0x
link_name() { (cd -P "$1" 2>/dev/null && echo "${PWD##*/}") || echo none; }  # last part of a link's target
# The same two without a subshell, into a variable (for loops over every device).
read_attr_to() {  # VAR FILE
    local v=
    { read -r v <"$2"; } 2>/dev/null || true
    printf -v "$1" '%s' "${v#0x}"
}
link_name_to() {  # VAR LINK: "none" when the link is absent
    local here=$PWD
    if cd -P "$2" 2>/dev/null; then
        printf -v "$1" '%s' "${PWD##*/}"
        cd "$here"
    else
        printf -v "$1" none
    fi
}
pci_id() { echo "$(read_attr "/sys/bus/pci/devices/$1/vendor"):$(read_attr "/sys/bus/pci/devices/$1/device")"; }
pci_driver() { link_name "/sys/bus/pci/devices/$1/driver"; }         # driver name, or "none"
pci_group() { link_name "/sys/bus/pci/devices/$1/iommu_group"; }     # group number, or "none"
pci_override() { read_attr "/sys/bus/pci/devices/$1/driver_override"; }  # "(null)" when unset
# The same for a device of any bus: BUS NAME.
bus_driver() { link_name "/sys/bus/$1/devices/$2/driver"; }
bus_group() { link_name "/sys/bus/$1/devices/$2/iommu_group"; }
bus_override() { read_attr "/sys/bus/$1/devices/$2/driver_override"; }
group_members() {  # GROUP: its devices, as the kernel lists them
    local d out=
    for d in "/sys/kernel/iommu_groups/$1/devices"/*; do out+="${out:+ }${d##*/}"; done
    echo "$out"
}

# wr VALUE FILE: a traced sysfs write. bash's echo reports the errno text of a failed write
# ("write error: No such device"), which dash's does not.
wr() {
    local err rc=0
    err=$( { echo "$1" >"$2"; } 2>&1) || rc=$?
    if [ $rc -eq 0 ]; then
        info "+ echo '$1' > $2"
    else
        info "+ echo '$1' > $2: ${err##*: }"
    fi
    return $rc
}

# Raw binding, the way the kernel documents it (Documentation/ABI/testing/sysfs-bus-pci,
# driver_override): set the override, unbind, reprobe. A successful drivers_probe write does not
# mean the driver took the device; callers re-read pci_driver.
sysfs_bind() {  # BDF DRIVER-NAME
    wr "$2" "$(pci_dir "$1")/driver_override"
    if [ -e "$(pci_dir "$1")/driver" ]; then wr "$1" "$(pci_dir "$1")/driver/unbind"; fi
    wr "$1" /sys/bus/pci/drivers_probe || true
}
sysfs_unbind() {  # BDF
    if [ -e "$(pci_dir "$1")/driver" ]; then wr "$1" "$(pci_dir "$1")/driver/unbind"; fi
}
sysfs_restore() {  # BDF: clear the override (a newline clears it) and let the native driver probe
    wr "" "$(pci_dir "$1")/driver_override"
    sysfs_unbind "$1"
    wr "$1" /sys/bus/pci/drivers_probe || true
}
sriov_enable() {  # PF COUNT: VFs stay unbound (no autoprobe), as a host about to assign them would
    wr 0 "$(pci_dir "$1")/sriov_drivers_autoprobe"
    wr "$2" "$(pci_dir "$1")/sriov_numvfs"
}
sriov_disable() {  # PF
    wr 0 "$(pci_dir "$1")/sriov_numvfs"
    wr 1 "$(pci_dir "$1")/sriov_drivers_autoprobe"
}

# check_bound BDF DRIVER: the kernel's driver link, plus /dev/vfio/<group> for vfio drivers.
check_bound() {
    check_eq "$1 is bound to $2 (sysfs driver link)" "$2" "$(pci_driver "$1")"
}

# ---- vfioctl
# vjson OUT ARGS...: vfioctl --json ARGS > OUT; stderr is shown when the exit status is not 0.
vjson() {
    local out=$1 rc=0
    shift
    vfioctl --json "$@" >"$out" 2>"$out.err" || rc=$?
    if [ $rc -ne 0 ]; then
        info "vfioctl --json $* exited $rc:"
        indent <"$out.err"
    fi
    return $rc
}

# json_vars FILE NAME=JQ-EXPR...: sets each shell variable NAME to its expression's value, in ONE jq
# run (jq 1.6 takes about half a second to start under TCG). Strings come raw, other values as JSON
# (null, true, 3), several results space-separated, no result as "(none)".
json_vars() {
    local file=$1 prog= a
    shift
    for a in "$@"; do
        prog+="${prog:+, }(\"${a%%=*}=\" + ([${a#*=}] | map(if type == \"string\" then . else tojson end)"
        prog+=" | if length == 0 then \"(none)\" else join(\" \") end | @sh))"
    done
    local assignments
    if assignments=$(jq -r "$prog" "$file"); then
        eval "$assignments"
    else
        fail "jq could not read $file"
        # No stale values from an earlier document for the checks that follow.
        for a in "$@"; do printf -v "${a%%=*}" '%s' "(jq failed)"; done
    fi
}

# persist PATH...: files or folders to carry into the next boot of a "# vm-boots: N" scenario, as
# if they were on a disk. $VM_BOOT (1, 2, ...) and $VM_BOOTS tell a scenario where it is.
persist() {
    local p
    for p in "$@"; do echo "$p" >>/run/vmtest-persist; done
}

kernel_at_least() {  # MAJOR MINOR
    local v
    v=$(uname -r)
    local major=${v%%.*} rest=${v#*.}
    local minor=${rest%%[.-]*}
    [ "$major" -gt "$1" ] || { [ "$major" -eq "$1" ] && [ "$minor" -ge "$2" ]; }
}

# ---- for the bind/release/recover scenarios
# bus_snapshot BUS: "NAME DRIVER OVERRIDE" for every device of the bus, sysfs only (builtins), to
# prove that a refused or invalid command touched nothing. pci_snapshot is the PCI one.
bus_snapshot() {
    local d drv ov
    for d in "/sys/bus/$1/devices"/*; do
        link_name_to drv "$d/driver"
        read_attr_to ov "$d/driver_override"
        echo "${d##*/} $drv $ov"
    done
}
pci_snapshot() { bus_snapshot pci; }

# expect_rc DESCRIPTION WANTED-EXIT COMMAND...: passes when COMMAND exits with exactly that
# status; its output (stdout and stderr) stays in /tmp/rc.out for checks that follow.
expect_rc() {
    local desc=$1 want=$2 rc=0
    shift 2
    "$@" >/tmp/rc.out 2>&1 || rc=$?
    if [ "$rc" = "$want" ]; then
        pass "$desc (exit $rc)"
    else
        fail "$desc: exit $rc, expected $want (from: $*)"
        indent </tmp/rc.out
    fi
}

# check_output DESCRIPTION TEXT: the last expect_rc's output contains TEXT (fixed string).
check_output() {
    if grep -qF -- "$2" /tmp/rc.out; then
        pass "$1 (output names '$2')"
    else
        fail "$1 (output lacks '$2')"
        indent </tmp/rc.out
    fi
}

# check_unchanged DESCRIPTION SNAPSHOT [BUS]: bus_snapshot BUS (default pci) still equals
# SNAPSHOT; a failure shows the lines that differ.
check_unchanged() {
    local now
    now=$(bus_snapshot "${3:-pci}")
    if [ "$now" = "$2" ]; then
        pass "$1"
    else
        fail "$1"
        diff <(echo "$2") <(echo "$now") | indent || true
    fi
}

# ---- for the udev scenarios ("# vm-udev: yes" puts udevd and the rules in the guest)
# start_udevd: Debian's udevd as a daemon, as systemd-udevd.service would run it. The boot's
# coldplug was done by init already, so nothing is triggered here: events from now on are real
# kernel uevents.
start_udevd() {
    /lib/systemd/systemd-udevd --daemon --resolve-names=never
    local _
    for _ in $(seq 100); do [ -S /run/udev/control ] && return 0; sleep 0.1; done
    fail "udevd did not start (no /run/udev/control)"
}
udev_settle() { udevadm settle --timeout=120; }
