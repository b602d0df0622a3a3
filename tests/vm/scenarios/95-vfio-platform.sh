#!/bin/bash
# vfio-platform for real, on the custom kernels (Debian's linux-source-6.1 and -6.12 built with
# vfio-platform, its reset modules and no-IOMMU mode: build-guest.sh, custom-kernel.config). On
# x86 no platform device sits behind an IOMMU, so only --noiommu gives one to vfio. Two ACPI
# devices from acpi/vfio-platform-devices.asl: VFCT0001 has _RST and binds, opens through the
# no-IOMMU container and comes back; VFCT0002 has no reset and vfio-platform's probe refuses it,
# and vfioctl puts it back. With reset_required=0 (from modprobe.d) 6.12 takes VFCT0002, while
# 6.1 still refuses it (fixed in 6.2 by 168a9c91fe0a), as vfioctl predicts. QEMU's fw_cfg device
# shows a host driver that will not take its device back (qemu_fw_cfg serves one device per
# load): the journal stays, and vfioctl says how to finish.
# vm-kernels: custom-6.1 custom-6.12
# vm-ssdt: vfio-platform-devices.asl
# vm-timeout: 240
. /vmtest/lib.sh

P=/sys/bus/platform/devices
RST=VFCT0001:00
NORST=VFCT0002:00
FWCFG=QEMU0002:00
plat_driver() { link_name "$P/$1/driver"; }
plat_override() { read_attr "$P/$1/driver_override"; }
noiommu_param=/sys/module/vfio/parameters/enable_unsafe_noiommu_mode

section "the kernel: what this build has and Debian's do not"
check "modinfo vfio_platform" modinfo vfio_platform
check "vfio has no-IOMMU mode" grep -q enable_unsafe_noiommu_mode <<<"$(modinfo -p vfio)"
check_eq "kmod: a reset helper's vfio-reset: alias" vfio_platform_calxedaxgmac "$(modprobe -R vfio-reset:calxeda,hb-xgmac)"
for d in $RST $NORST; do
    check_eq "kernel: $d from the test SSDT" "${d%:00}" "$(read_attr $P/$d/firmware_node/hid)"
    check_eq "kernel: $d has no driver" none "$(plat_driver $d)"
    check_absent "kernel: $d has no IOMMU group" $P/$d/iommu_group
done
boot_state=$(bus_snapshot platform)

section "explain and a bind without --noiommu"
check "vfioctl explain platform/$RST" vjson /tmp/explain.json explain platform/$RST
json_vars /tmp/explain.json chosen='.chosen.module' hid='.acpi_hid' notes='.notes | join(" | ")'
check_eq "vfioctl: vfio_platform chosen" vfio_platform "$chosen"
check_eq "vfioctl: the ACPI id" VFCT0001 "$hid"
check "vfioctl: the reset is the firmware's _RST" grep -q "_RST method" <<<"$notes"
if kernel_at_least 6 2; then
    check "vfioctl: and reset_required=0 would do without _RST" grep -q "unless vfio_platform is loaded with reset_required=0" <<<"$notes"
else
    check "vfioctl: and reset_required=0 does not help on 6.1" grep -q "even with reset_required=0" <<<"$notes"
fi
expect_rc "vfioctl bind platform/$RST" 3 vfioctl bind platform/$RST
check_output "the refusal offers --noiommu" "--noiommu"
check_unchanged "kernel: nothing changed" "$boot_state" platform
check_absent "kernel: vfio_platform not loaded by a refused bind" /sys/module/vfio_platform

section "bind --noiommu: VFCT0001 (with _RST) goes to vfio-platform"
check "vfioctl bind --noiommu platform/$RST" vjson /tmp/bind.json bind --noiommu platform/$RST
json_vars /tmp/bind.json result=.result driver='.devices[0].driver' notes='.notes | join(" | ")'
check_eq "vfioctl: result" ok "$result"
check_eq "vfioctl: driver" vfio-platform "$driver"
check "vfioctl: it says the device is not isolated" grep -q "NOT isolated" <<<"$notes"
check_eq "kernel: $RST bound" vfio-platform "$(plat_driver $RST)"
check_eq "kernel: override" vfio-platform "$(plat_override $RST)"
check_eq "kernel: no-IOMMU mode on" Y "$(read_attr $noiommu_param)"
group=$(link_name $P/$RST/iommu_group)
check_ne "kernel: vfio gave it a group" none "$group"
check_eq "kernel: a vfio-noiommu group" vfio-noiommu "$(read_attr /sys/kernel/iommu_groups/$group/name)"
check_exists "kernel: its node" /dev/vfio/noiommu-$group
check "kernel: tainted (TAINT_USER)" test $(( $(cat /proc/sys/kernel/tainted) & 64 )) -ne 0
check "vfioctl status platform/$RST" vjson /tmp/status.json status platform/$RST
json_vars /tmp/status.json sdriver='.devices[0].driver' sgroup='.devices[0].iommu_group'
check_eq "vfioctl status: driver and group as sysfs has them" "vfio-platform $group" "$sdriver $sgroup"
vfioctl status >/tmp/status.txt
check "vfioctl status lists it now that it has a group, its ACPI id in the ID column" \
    grep -qE "^platform/$RST +VFCT0001 +vfio-platform" /tmp/status.txt

resets_before=$(dmesg | grep -c "$RST: VFIO: reset" || true)
check "a VFIO client opens it through the no-IOMMU container" vfio-client platform/$RST
vfio-client platform/$RST >/tmp/client.txt 2>&1 || true
check_eq "client: the group node" "group_node=/dev/vfio/noiommu-$group" "$(grep '^group_node=' /tmp/client.txt)"
check_eq "client: no-IOMMU container" iommu=noiommu "$(grep '^iommu=' /tmp/client.txt)"
check_eq "client: a platform device" device_platform=1 "$(grep '^device_platform=' /tmp/client.txt)"
resets_after=$(dmesg | grep -c "$RST: VFIO: reset" || true)
check "kernel: vfio-platform ran _RST on open and close ($resets_before -> $resets_after)" test "$resets_after" -ge $((resets_before + 2))

check "vfioctl release platform/$RST" vjson /tmp/release.json release platform/$RST
check_eq "kernel: $RST unbound again, as it was" none "$(plat_driver $RST)"
check_eq "kernel: override cleared" "(null)" "$(plat_override $RST)"
check_absent "kernel: its no-IOMMU group is gone" /dev/vfio/noiommu-$group
check_absent "no journal left" /run/vfioctl/journal.json
check_eq "kernel: no-IOMMU mode off again, as vfioctl found it" N "$(read_attr $noiommu_param)"

section "bind --noiommu: VFCT0002 (no reset): the probe refuses, the device is put back"
before=$(bus_snapshot platform)
expect_rc "vfioctl bind --noiommu platform/$NORST" 1 vfioctl bind --noiommu platform/$NORST
check_output "the kernel's reason is quoted" "No reset function found"
if kernel_at_least 6 2; then
    check_output "and what would do without a reset" "unless vfio_platform is loaded with reset_required=0"
else
    check_output "and what would do without a reset: not reset_required=0, on 6.1" "even with reset_required=0"
fi
check_unchanged "kernel: every platform device as it was" "$before" platform
check_absent "no journal left" /run/vfioctl/journal.json
check_eq "kernel: the rolled-back bind turned no-IOMMU mode off again" N "$(read_attr $noiommu_param)"

section "reset_required=0 from modprobe.d: vfioctl's load applies it; 6.12 binds, 6.1 does not"
check "modprobe -r vfio_platform" modprobe -r vfio_platform
mkdir -p /etc/modprobe.d
echo "options vfio_platform reset_required=0" >/etc/modprobe.d/vfio-platform.conf
check "vfioctl explain platform/$NORST" vjson /tmp/explain.json explain platform/$NORST
json_vars /tmp/explain.json notes='.notes | join(" | ")'
if kernel_at_least 6 2; then
    check "vfioctl: the note says reset_required=0 comes from modprobe.d" \
        grep -q "reset_required=0 (modprobe.d: options vfio_platform reset_required=0)" <<<"$notes"
    check "vfioctl bind --noiommu platform/$NORST (reset_required=0)" vfioctl bind --noiommu platform/$NORST
    check_eq "kernel: vfioctl's load (libkmod) applied the modprobe.d option" N \
        "$(read_attr /sys/module/vfio_platform/parameters/reset_required)"
    check_eq "kernel: $NORST bound without a reset" vfio-platform "$(plat_driver $NORST)"
    check "a VFIO client opens it" vfio-client platform/$NORST
    check "vfioctl release platform/$NORST" vfioctl release platform/$NORST
else
    check "vfioctl: the note names the 6.2 fix" grep -q "168a9c91fe0a" <<<"$notes"
    expect_rc "vfioctl bind --noiommu platform/$NORST (reset_required=0)" 1 vfioctl bind --noiommu platform/$NORST
    check_eq "kernel: vfioctl's load (libkmod) applied the modprobe.d option" N \
        "$(read_attr /sys/module/vfio_platform/parameters/reset_required)"
    # vfio_platform_init_common returns vfio_platform_get_reset's -ENOENT and logs nothing itself.
    check_output "the probe failed with -ENOENT: only the driver core's line" "probe of $NORST failed with error -2"
fi
check_unchanged "kernel: every platform device as it was" "$before" platform
check_absent "no journal left" /run/vfioctl/journal.json

section "a host driver that will not take its device back: qemu_fw_cfg"
# vfio-platform back at its default (reset_required=1), so that it refuses fw_cfg on both kernels.
rm /etc/modprobe.d/vfio-platform.conf
check "modprobe -r vfio_platform" modprobe -r vfio_platform
check "modprobe qemu_fw_cfg" modprobe qemu_fw_cfg
check_eq "kernel: $FWCFG on fw_cfg" fw_cfg "$(plat_driver $FWCFG)"
expect_rc "vfioctl bind --noiommu platform/$FWCFG" 1 vfioctl bind --noiommu platform/$FWCFG
check_output "vfio-platform refused it" "No reset function found for device $FWCFG"
check_output "fw_cfg would not take it back" "fw_cfg's probe answered EBUSY"
check_output "the message says what to run" "'modprobe -r qemu_fw_cfg' and 'modprobe qemu_fw_cfg'"
check_eq "kernel: $FWCFG unbound" none "$(plat_driver $FWCFG)"
check_eq "kernel: its override put back all the same" "(null)" "$(plat_override $FWCFG)"
check_exists "the journal stays for recover" /run/vfioctl/journal.json
check "modprobe -r qemu_fw_cfg" modprobe -r qemu_fw_cfg
check "modprobe qemu_fw_cfg" modprobe qemu_fw_cfg
check_eq "kernel: the fresh load took $FWCFG" fw_cfg "$(plat_driver $FWCFG)"
check "vfioctl recover" vfioctl recover
check_absent "the journal is gone" /run/vfioctl/journal.json
finish
