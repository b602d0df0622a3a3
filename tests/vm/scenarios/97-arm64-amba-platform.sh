#!/bin/bash
# vfio-amba and vfio-platform for real, with a real IOMMU group, on arm64: Debian's linux-source-6.12
# cross-compiled (custom-6.12-arm64) on QEMU's virt machine with an SMMUv3, from a device tree
# that machine-arm64.sh derives from QEMU's own. The PL031 RTC (an AMBA PrimeCell) goes to
# vfio-amba; vfio_iommu_type1 refuses its group until allow_unsafe_interrupts (no MSI controller
# isolates it), as vfioctl warns; then a VFIO user reads its PrimeCell IDs through the device fd,
# and it comes back to rtc-pl031. A DT device nothing has probed has no IOMMU group yet; vfioctl
# binds it because its node names an IOMMU, and the group comes with vfio-platform's probe. Two DT platform devices show vfio-platform's reset lookup against the kernel itself:
# compatible "calxeda,hb-xgmac" binds (the helper matches the first string); "vfioctl,test-nic",
# "calxeda,hb-xgmac" has a helper only for its second string, which vfio-platform never looks
# up: vfioctl refuses it up front, a raw sysfs bind shows the kernel refusing it the same way, and
# with reset_required=0 it binds. Devices without "iommus" are refused for their missing group.
# vm-kernels: custom-6.12-arm64
# vm-timeout: 600
. /vmtest/lib.sh

A=/sys/bus/amba/devices
P=/sys/bus/platform/devices

section "the machine: arm64, an SMMUv3, AMBA and DT platform devices"
check_eq "kernel: arm64" aarch64 "$(uname -m)"
check "modinfo vfio_amba" modinfo vfio_amba
check "modinfo vfio_platform" modinfo vfio_platform
check_eq "kmod: the calxeda reset helper's vfio-reset: alias" vfio_platform_calxedaxgmac "$(modprobe -R vfio-reset:calxeda,hb-xgmac)"
check_eq "kernel: $RTC_AMBA on its host driver" rtc-pl031 "$(bus_driver amba $RTC_AMBA)"
check_eq "kernel: $GPIO_AMBA on its host driver" pl061_gpio "$(bus_driver amba $GPIO_AMBA)"
rtc_group=$(bus_group amba $RTC_AMBA)
check_ne "kernel: $RTC_AMBA has an IOMMU group (its DT node names the SMMU)" none "$rtc_group"
check_eq "kernel: the group holds it alone" "$RTC_AMBA" "$(group_members "$rtc_group")"
check_absent "kernel: $GPIO_AMBA has no IOMMU group" $A/$GPIO_AMBA/iommu_group
# Up to 6.12 the kernel reads a DT node's iommus, and makes the group, only when a driver probes
# the device (really_probe -> of_dma_configure): a device without a host driver has none yet.
for d in $XGMAC_DT $TESTNIC_DT; do
    check_eq "kernel: $d has no driver" none "$(bus_driver platform $d)"
    check_exists "kernel: $d's node names the SMMU" $P/$d/of_node/iommus
    check_absent "kernel: so far no IOMMU group (nothing probed it)" $P/$d/iommu_group
done
check_eq "kernel: $TESTNIC_DT's compatible list, in order" "vfioctl,test-nic calxeda,hb-xgmac" \
    "$(tr '\0' ' ' <$P/$TESTNIC_DT/of_node/compatible | sed 's/ $//')"
read_attr_to rtc_id $A/$RTC_AMBA/id
check_eq "kernel: the PL031's PrimeCell id, as the amba bus read it" 00141031 "$rtc_id"
amba_state=$(bus_snapshot amba)

section "status and explain on the AMBA bus"
vfioctl status >/tmp/status.txt
check "vfioctl status lists amba/$RTC_AMBA on rtc-pl031" grep -qE "^amba/$RTC_AMBA +.*rtc-pl031" /tmp/status.txt
check "vfioctl status --json" vjson /tmp/status.json status amba/$RTC_AMBA
json_vars /tmp/status.json sdriver='.devices[0].driver' sgroup='.devices[0].iommu_group'
check_eq "vfioctl status: driver and group as sysfs has them" "rtc-pl031 $rtc_group" "$sdriver $sgroup"
check "vfioctl explain amba/$RTC_AMBA" vjson /tmp/explain.json explain amba/$RTC_AMBA
json_vars /tmp/explain.json chosen='.chosen.module' chosen_driver='.chosen.driver' notes='.notes | join(" | ")'
check_eq "vfioctl: vfio_amba chosen" vfio_amba "$chosen"
check "vfioctl: no reset helper needed" grep -q "needs no reset helper" <<<"$notes"
check "vfioctl: type1 will refuse its group: no msi-parent" grep -q "no msi-parent), so vfio_iommu_type1 will refuse to attach its group" <<<"$notes"

section "bind amba/$RTC_AMBA: vfio-amba, a real group, a VFIO user reads the device"
check_absent "kernel: vfio_amba not loaded yet" /sys/module/vfio_amba
check "vfioctl bind amba/$RTC_AMBA" vjson /tmp/bind.json bind amba/$RTC_AMBA
json_vars /tmp/bind.json result=.result driver='.devices[0].driver'
check_eq "vfioctl: result" ok "$result"
check_eq "vfioctl: driver" vfio-amba "$driver"
check_exists "kernel: vfioctl loaded vfio_amba" /sys/module/vfio_amba
check_eq "kernel: the module registers driver vfio-amba" vfio-amba "$(ls /sys/module/vfio_amba/drivers | sed 's/^amba://')"
check_eq "kernel: $RTC_AMBA bound" vfio-amba "$(bus_driver amba $RTC_AMBA)"
check_eq "kernel: override" vfio-amba "$(bus_override amba $RTC_AMBA)"
check_exists "kernel: its group's node" /dev/vfio/$rtc_group
# vfio_iommu_type1 wants isolated MSIs for every device of the group (msi_isolation.h); the
# PL031's node has no msi-parent, so the container refuses it, as vfioctl said.
expect_rc "a VFIO client is refused the type1 container" 1 vfio-client amba/$RTC_AMBA
check_output "VFIO_SET_IOMMU answers EPERM" "VFIO_SET_IOMMU: Operation not permitted"
check "kernel: type1's reason" grep -q "No interrupt remapping support" <<<"$(dmesg)"
wr Y /sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts
check "vfioctl explain: now attached only because of allow_unsafe_interrupts" \
    grep -q "only because allow_unsafe_interrupts=Y" <<<"$(vfioctl explain amba/$RTC_AMBA)"
check "a VFIO client opens it through a type1 container" vfio-client amba/$RTC_AMBA
vfio-client amba/$RTC_AMBA >/tmp/client.txt 2>&1 || true
check_eq "client: its group" "group_node=/dev/vfio/$rtc_group" "$(grep '^group_node=' /tmp/client.txt)"
check_eq "client: the SMMU's type1 container" iommu=type1v2 "$(grep '^iommu=' /tmp/client.txt)"
check_eq "client: an AMBA device" device_amba=1 "$(grep '^device_amba=' /tmp/client.txt)"
check_eq "client: the PrimeCell periph ID read through VFIO = sysfs id" "amba_periphid=$rtc_id" "$(grep '^amba_periphid=' /tmp/client.txt)"
check_eq "client: the PrimeCell cell ID" amba_cellid=b105f00d "$(grep '^amba_cellid=' /tmp/client.txt)"
check "vfioctl release amba/$RTC_AMBA" vjson /tmp/release.json release amba/$RTC_AMBA
check_eq "kernel: $RTC_AMBA back on rtc-pl031" rtc-pl031 "$(bus_driver amba $RTC_AMBA)"
check_eq "kernel: override cleared" "(null)" "$(bus_override amba $RTC_AMBA)"
check_absent "no journal left" /run/vfioctl/journal.json
check_unchanged "kernel: every AMBA device as at boot" "$amba_state" amba
# The unbind removed rtc0 and, under it, the alarmtimer platform device the RTC class had made;
# that device's link in /sys/bus/platform/devices stays behind, pointing at nothing (seen on this
# 6.12). vfioctl reads the bus through such a link without tripping.
check "vfioctl status after the RTC's round trip" vfioctl status
platform_state=$(bus_snapshot platform)

section "amba/$GPIO_AMBA has no IOMMU group: refused, nothing touched"
expect_rc "vfioctl bind amba/$GPIO_AMBA" 3 vfioctl bind amba/$GPIO_AMBA
check_output "the refusal says why" "has no IOMMU group"
check_output "and where to look on a DT machine" "iommus"
check_unchanged "kernel: every AMBA device as it was" "$amba_state" amba

section "platform/$XGMAC_DT: the reset helper for its first compatible string"
check "vfioctl explain platform/$XGMAC_DT" vjson /tmp/explain.json explain platform/$XGMAC_DT
json_vars /tmp/explain.json chosen='.chosen.module' notes='.notes | join(" | ")'
check_eq "vfioctl: vfio_platform chosen" vfio_platform "$chosen"
check "vfioctl: the helper, for the first string" grep -q "reset: vfio_platform_calxedaxgmac (for 'calxeda,hb-xgmac', the first compatible string" <<<"$notes"
check "vfioctl bind platform/$XGMAC_DT" vjson /tmp/bind.json bind platform/$XGMAC_DT
json_vars /tmp/bind.json result=.result driver='.devices[0].driver' notes='.notes | join(" | ")'
check_eq "vfioctl: result" ok "$result"
check "vfioctl: the group comes with the probe" grep -q "no IOMMU group yet; the device tree gives it an IOMMU" <<<"$notes"
check_eq "kernel: $XGMAC_DT bound" vfio-platform "$(bus_driver platform $XGMAC_DT)"
check_ne "kernel: vfio-platform's probe made its IOMMU group" none "$(bus_group platform $XGMAC_DT)"
check_exists "kernel: the reset helper is loaded" /sys/module/vfio_platform_calxedaxgmac
check_exists "kernel: its group's node" "/dev/vfio/$(bus_group platform $XGMAC_DT)"
# Not opened: vfio-platform runs the calxeda reset on open, which writes the device's registers,
# and nothing is behind this test node's.
check "vfioctl release platform/$XGMAC_DT" vfioctl release platform/$XGMAC_DT
check_eq "kernel: $XGMAC_DT unbound again, as it was" none "$(bus_driver platform $XGMAC_DT)"
check_eq "kernel: override cleared" "(null)" "$(bus_override platform $XGMAC_DT)"

section "platform/$TESTNIC_DT: a helper for its second string only, which vfio-platform never asks for"
check "vfioctl explain platform/$TESTNIC_DT" vjson /tmp/explain.json explain platform/$TESTNIC_DT
json_vars /tmp/explain.json notes='.notes | join(" | ")'
check "vfioctl: the whole list evaluated, the kernel's limit named" \
    grep -q "vfio_platform_calxedaxgmac resets 'calxeda,hb-xgmac' (compatible string 2 of 2), but vfio-platform looks up only the first, 'vfioctl,test-nic'" <<<"$notes"
before=$(bus_snapshot platform)
expect_rc "vfioctl bind platform/$TESTNIC_DT" 1 vfioctl bind platform/$TESTNIC_DT
check_output "vfioctl says it cannot, and why" "looks up only the first"
check_unchanged "kernel: nothing touched" "$before" platform
# The kernel's own answer, without vfioctl: the helper is loaded (since the xgmac bind), and
# vfio-platform still looks only for the first string's.
wr vfio-platform $P/$TESTNIC_DT/driver_override
wr $TESTNIC_DT /sys/bus/platform/drivers_probe || true
check_eq "kernel: a raw sysfs bind is refused by vfio-platform's probe too" none "$(bus_driver platform $TESTNIC_DT)"
check "kernel: vfio-platform's reason" grep -q "No reset function found for device $TESTNIC_DT" <<<"$(dmesg)"
wr "" $P/$TESTNIC_DT/driver_override

section "reset_required=0 from modprobe.d: vfioctl's load applies it and the device binds"
check "modprobe -r vfio_platform_calxedaxgmac vfio_platform" modprobe -r vfio_platform_calxedaxgmac vfio_platform
mkdir -p /etc/modprobe.d
echo "options vfio_platform reset_required=0" >/etc/modprobe.d/vfio-platform.conf
check "vfioctl bind platform/$TESTNIC_DT (reset_required=0)" vfioctl bind platform/$TESTNIC_DT
check_eq "kernel: vfioctl's load (libkmod) applied the modprobe.d option" N \
    "$(read_attr /sys/module/vfio_platform/parameters/reset_required)"
check_eq "kernel: $TESTNIC_DT bound without a reset" vfio-platform "$(bus_driver platform $TESTNIC_DT)"
check "vfioctl release platform/$TESTNIC_DT" vfioctl release platform/$TESTNIC_DT
check_eq "kernel: $TESTNIC_DT unbound again" none "$(bus_driver platform $TESTNIC_DT)"

section "platform/$FWCFG_DT has no IOMMU group and its node names no IOMMU: refused"
expect_rc "vfioctl bind platform/$FWCFG_DT" 3 vfioctl bind platform/$FWCFG_DT
check_output "the refusal says why" "has no IOMMU group"
check_unchanged "kernel: every platform device as before the platform binds" "$platform_state" platform
finish
