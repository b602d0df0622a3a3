#!/bin/bash
# vfio-cdx for real on arm64 (custom-6.12-arm64): the kernel's own CDX bus, vfio-cdx and depmod's
# override-only vfio_cdx: alias. QEMU emulates no CDX hardware, so the guest's controller is a
# stand-in for the firmware (tests/vm/cdx, vfioctl_test_cdx): it registers a cdx_controller for
# the DT node machine-arm64.sh adds and reports two functions whose MMIO region is a page of RAM.
# The functions, the bus device beside them, driver_override and cdx_bus_match, the IOMMU group
# the controller node's iommu-map gives at probe, and vfio_iommu_type1's MSI rule are the kernel's.
# vfioctl binds function 0 (loading vfio_cdx, writing the driver name vfio-cdx), a VFIO user maps
# its region and resets it through the controller, and release puts it back on its host driver.
# A second controller whose node has iommu-map but no dma-ranges gets no IOMMU for its functions
# (of_dma_configure_id stops before the IOMMU): vfioctl refuses them, as vfio-cdx's probe does.
# Then, with no host driver, a function nothing has probed binds with its group made at probe.
# Last, udev with vfioctl's rule: functions a controller adds go to vfio-cdx as they appear, when
# the configuration names them, both from their host driver and unprobed.
# vm-kernels: custom-6.12-arm64
# vm-udev: yes
# vm-timeout: 600
. /vmtest/lib.sh

C=/sys/bus/cdx/devices
cdx_ls() { ls "$C" | tr '\n' ' ' | sed 's/ $//'; }
all_cdx="$CDX_BUS $CDX_FN0 $CDX_FN1 cdx-10 $CDX_NODMA_FN0 cdx-10:01"   # both controllers' devices
alias0=cdx:v10EEdCD01sv10EEsd0000c000000   # function 0's modalias (sd = its device number)

section "the CDX bus, vfio-cdx's alias and the stand-in controller"
check_exists "kernel: the cdx bus (CONFIG_CDX_BUS)" /sys/bus/cdx
check_eq "kernel: no controller, no devices yet" "" "$(cdx_ls)"
check "modinfo vfio_cdx" modinfo vfio_cdx
check_eq "kmod: vfio_cdx's override-only alias names the function" vfio_cdx "$(modprobe -R "vfio_$alias0")"
check_eq "kmod: the function's own alias names its host driver's module" vfioctl_test_cdx "$(modprobe -R "$alias0")"
check "modprobe vfioctl_test_cdx" modprobe vfioctl_test_cdx
check_eq "kernel: the controller bound to its DT node" vfioctl-test-cdx-controller \
    "$(link_name /sys/bus/platform/devices/$CDX_CTRL/driver)"
check_eq "kernel: the bus lists each controller's bus device and two functions" "$all_cdx" "$(cdx_ls)"
check_absent "kernel: the bus device has no modalias" $C/$CDX_BUS/modalias
check_exists "kernel: but it has a driver_override (the driver core gives every device of the bus one)" \
    $C/$CDX_BUS/driver_override
check_eq "kernel: the bus device sits under its controller" "$CDX_CTRL" \
    "$(basename "$(dirname "$(readlink -f $C/$CDX_BUS)")")"
check_eq "kernel: the second controller's, id 1" "$CDX_CTRL_NODMA" "$(basename "$(dirname "$(readlink -f $C/cdx-10)")")"
for f in $CDX_FN0 $CDX_FN1; do
    check_eq "kernel: $f on its host driver" vfioctl-test-cdx-host "$(bus_driver cdx $f)"
    check_ne "kernel: $f has an IOMMU group (the host driver's probe, through iommu-map)" none "$(bus_group cdx $f)"
    check_exists "kernel: $f's MMIO region file" $C/$f/resource0
done
check_eq "kernel: function 0's modalias" "$alias0" "$(read_attr $C/$CDX_FN0/modalias)"
group0=$(bus_group cdx $CDX_FN0)
check_eq "kernel: the group holds function 0 alone" "$CDX_FN0" "$(group_members "$group0")"
cdx_state=$(bus_snapshot cdx)

section "status and explain on the CDX bus"
vfioctl status >/tmp/status.txt
check "vfioctl status lists cdx/$CDX_FN0 on its host driver" grep -qE "^cdx/$CDX_FN0 +.*vfioctl-test-cdx-host" /tmp/status.txt
check_fails "vfioctl status does not list the bus device" grep -q "^cdx/$CDX_BUS " /tmp/status.txt
check "vfioctl explain cdx/$CDX_FN0" vjson /tmp/explain.json explain cdx/$CDX_FN0
json_vars /tmp/explain.json chosen='.chosen.module' key='.key' notes='.notes | join(" | ")'
check_eq "vfioctl: vfio_cdx chosen" vfio_cdx "$chosen"
check_eq "vfioctl: the alias key it looked up" "vfio_$alias0" "$key"
check "vfioctl: type1 will refuse its group: the controller's node has no msi-map" \
    grep -q "its CDX controller's device-tree node has no msi-map), so vfio_iommu_type1 will refuse" <<<"$notes"
expect_rc "vfioctl bind cdx/$CDX_BUS (the bus device)" 2 vfioctl bind cdx/$CDX_BUS
check_output "the refusal says what it is" "CDX bus device, not a function"
check_unchanged "kernel: nothing touched" "$cdx_state" cdx

section "a controller with iommu-map and no dma-ranges: its functions get no IOMMU"
check_eq "kernel: $CDX_NODMA_FN0 on its host driver" vfioctl-test-cdx-host "$(bus_driver cdx $CDX_NODMA_FN0)"
check_absent "kernel: but no IOMMU group, though probed (no dma-ranges)" $C/$CDX_NODMA_FN0/iommu_group
expect_rc "vfioctl bind cdx/$CDX_NODMA_FN0" 3 vfioctl bind cdx/$CDX_NODMA_FN0
check_output "the refusal says why" "needs an iommu-map and a non-empty dma-ranges"
check_unchanged "kernel: nothing touched" "$cdx_state" cdx
# The kernel's own answer, without vfioctl: vfio-cdx's probe fails for want of a group.
check "modprobe vfio_cdx" modprobe vfio_cdx
wr vfio-cdx $C/$CDX_NODMA_FN0/driver_override
wr $CDX_NODMA_FN0 /sys/bus/cdx/drivers/vfioctl-test-cdx-host/unbind
wr $CDX_NODMA_FN0 /sys/bus/cdx/drivers_probe || true
check_eq "kernel: a raw bind is refused by vfio-cdx's probe" none "$(bus_driver cdx $CDX_NODMA_FN0)"
check "kernel: the probe's error" grep -q "vfio-cdx $CDX_NODMA_FN0: probe with driver vfio-cdx failed with error -22" <<<"$(dmesg)"
wr "" $C/$CDX_NODMA_FN0/driver_override
wr $CDX_NODMA_FN0 /sys/bus/cdx/drivers_probe
check "modprobe -r vfio_cdx" modprobe -r vfio_cdx
check_unchanged "kernel: every CDX device as before" "$cdx_state" cdx

section "override_only: vfio-cdx takes a function only through driver_override"
check "modprobe vfio_cdx" modprobe vfio_cdx
wr $CDX_FN1 /sys/bus/cdx/drivers/vfioctl-test-cdx-host/unbind
check_fails "kernel: a raw bind to vfio-cdx without driver_override is refused (cdx_bus_match)" \
    wr $CDX_FN1 /sys/bus/cdx/drivers/vfio-cdx/bind
wr $CDX_FN1 /sys/bus/cdx/drivers_probe
check_eq "kernel: drivers_probe gives it back to its host driver, not to vfio-cdx" vfioctl-test-cdx-host "$(bus_driver cdx $CDX_FN1)"
check "modprobe -r vfio_cdx" modprobe -r vfio_cdx
check_unchanged "kernel: every CDX device as before" "$cdx_state" cdx

section "bind cdx/$CDX_FN0: vfio-cdx, and a VFIO user maps and resets it"
check_absent "kernel: vfio_cdx not loaded" /sys/module/vfio_cdx
check "vfioctl bind cdx/$CDX_FN0" vjson /tmp/bind.json bind cdx/$CDX_FN0
json_vars /tmp/bind.json result=.result driver='.devices[0].driver' notes='.notes | join(" | ")'
check_eq "vfioctl: result" ok "$result"
check_eq "vfioctl: driver" vfio-cdx "$driver"
check "vfioctl: the MSI warning, for the VFIO user" grep -q "no msi-map" <<<"$notes"
check_exists "kernel: vfioctl loaded vfio_cdx" /sys/module/vfio_cdx
check_eq "kernel: module vfio_cdx registers driver vfio-cdx" cdx:vfio-cdx "$(ls /sys/module/vfio_cdx/drivers)"
check_eq "kernel: $CDX_FN0 bound" vfio-cdx "$(bus_driver cdx $CDX_FN0)"
check_eq "kernel: override" vfio-cdx "$(bus_override cdx $CDX_FN0)"
check_eq "kernel: $CDX_FN1 still on its host driver" vfioctl-test-cdx-host "$(bus_driver cdx $CDX_FN1)"
check_exists "kernel: the group's node" /dev/vfio/$group0
expect_rc "a VFIO client is refused the type1 container" 1 vfio-client cdx/$CDX_FN0
check_output "VFIO_SET_IOMMU answers EPERM" "VFIO_SET_IOMMU: Operation not permitted"
wr Y /sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts
check "vfioctl explain: attached only because of allow_unsafe_interrupts" \
    grep -q "only because allow_unsafe_interrupts=Y" <<<"$(vfioctl explain cdx/$CDX_FN0)"
check "a VFIO client opens it through a type1 container" vfio-client cdx/$CDX_FN0
vfio-client cdx/$CDX_FN0 >/tmp/client.txt 2>&1 || true
fact() { sed -n "s/^$1=//p" /tmp/client.txt; }
check_eq "client: its group" "/dev/vfio/$group0" "$(fact group_node)"
check_eq "client: the SMMU's type1 container" type1v2 "$(fact iommu)"
check_eq "client: a CDX device that can be reset" "1 1" "$(fact device_cdx) $(fact device_reset)"
check_eq "client: one region" 1 "$(fact num_regions)"
check_eq "client: the function's region, mapped through VFIO" VFIOCTL-CDX "$(fact cdx_magic)"
check_eq "client: it is function 0's" 0 "$(fact cdx_devnum)"
resets=$(fact cdx_resets)
check_ne "client: vfio-cdx reset it through the controller when opened" 0 "${resets:-0}"
check_eq "client: VFIO_DEVICE_RESET reached the controller once more" $((resets + 1)) "$(fact cdx_resets_after_reset)"
check "vfioctl release cdx/$CDX_FN0" vjson /tmp/release.json release cdx/$CDX_FN0
check_eq "kernel: $CDX_FN0 back on its host driver" vfioctl-test-cdx-host "$(bus_driver cdx $CDX_FN0)"
check_eq "kernel: override cleared" "(null)" "$(bus_override cdx $CDX_FN0)"
check_absent "no journal left" /run/vfioctl/journal.json
check_unchanged "kernel: every CDX device as at the start" "$cdx_state" cdx
wr N /sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts

section "a function nothing has probed: its group comes with vfio-cdx's probe"
check "modprobe -r vfioctl_test_cdx vfio_cdx" modprobe -r vfioctl_test_cdx vfio_cdx
check_eq "kernel: the controller took its devices with it" "" "$(cdx_ls)"
check "modprobe vfioctl_test_cdx host_driver=0" modprobe vfioctl_test_cdx host_driver=0
check_eq "kernel: the functions again" "$all_cdx" "$(cdx_ls)"
check_eq "kernel: $CDX_FN0 unbound" none "$(bus_driver cdx $CDX_FN0)"
check_absent "kernel: so no IOMMU group yet" $C/$CDX_FN0/iommu_group
unprobed_state=$(bus_snapshot cdx)
vfioctl status >/tmp/status.txt
check "vfioctl status lists it, its group to come at probe" grep -qE "^cdx/$CDX_FN0 +.* at probe " /tmp/status.txt
check_fails "vfioctl status does not list $CDX_NODMA_FN0 (no IOMMU will come)" grep -q "^cdx/$CDX_NODMA_FN0 " /tmp/status.txt
check "vfioctl bind cdx/$CDX_FN0" vjson /tmp/bind.json bind cdx/$CDX_FN0
json_vars /tmp/bind.json result=.result notes='.notes | join(" | ")'
check_eq "vfioctl: result" ok "$result"
check "vfioctl: the group comes with the probe" grep -q "no IOMMU group yet; the device tree gives it an IOMMU" <<<"$notes"
check_eq "kernel: $CDX_FN0 bound" vfio-cdx "$(bus_driver cdx $CDX_FN0)"
check_ne "kernel: vfio-cdx's probe made its group (cdx_dma_configure)" none "$(bus_group cdx $CDX_FN0)"
check_exists "kernel: the group's node" "/dev/vfio/$(bus_group cdx $CDX_FN0)"
check "vfioctl release cdx/$CDX_FN0" vfioctl release cdx/$CDX_FN0
check_eq "kernel: $CDX_FN0 unbound again, as it was" none "$(bus_driver cdx $CDX_FN0)"
check_eq "kernel: override cleared" "(null)" "$(bus_override cdx $CDX_FN0)"
check_unchanged "kernel: every CDX device as before (the group stays, as the kernel keeps it)" \
    "$unprobed_state" cdx

section "hotplug through udev: a function the configuration names goes to vfio-cdx as it appears"
check "modprobe -r vfioctl_test_cdx" modprobe -r vfioctl_test_cdx
mkdir -p /etc/vfioctl
cat >/etc/vfioctl/vfioctl.toml <<CONF
[[device]]
address = "cdx/$CDX_FN1"
CONF
start_udevd
check "modprobe vfioctl_test_cdx (the host driver binds both in the kernel, before any uevent)" modprobe vfioctl_test_cdx
udev_settle
check_eq "kernel: the rule moved $CDX_FN1 to vfio-cdx" vfio-cdx "$(bus_driver cdx $CDX_FN1)"
check_eq "kernel: its override" vfio-cdx "$(bus_override cdx $CDX_FN1)"
check_eq "kernel: $CDX_FN0, which no rule names, stays on its host driver" vfioctl-test-cdx-host "$(bus_driver cdx $CDX_FN0)"
check_eq "kernel: and has no override" "(null)" "$(bus_override cdx $CDX_FN0)"
check_absent "no journal left behind" /run/vfioctl/journal.json
check "release gives it back (the rule's bind is recorded as vfioctl's)" vfioctl release cdx/$CDX_FN1
check_eq "kernel: $CDX_FN1 back on its host driver" vfioctl-test-cdx-host "$(bus_driver cdx $CDX_FN1)"
check "modprobe -r vfioctl_test_cdx" modprobe -r vfioctl_test_cdx
udev_settle
check "modprobe vfioctl_test_cdx host_driver=0 (the functions appear unprobed, with no group)" \
    modprobe vfioctl_test_cdx host_driver=0
udev_settle
check_eq "kernel: the rule bound $CDX_FN1 to vfio-cdx" vfio-cdx "$(bus_driver cdx $CDX_FN1)"
check_ne "kernel: its group came with vfio-cdx's probe" none "$(bus_group cdx $CDX_FN1)"
check_eq "kernel: $CDX_FN0 left alone, unbound" none "$(bus_driver cdx $CDX_FN0)"
check "release" vfioctl release cdx/$CDX_FN1
check_eq "kernel: $CDX_FN1 unbound again, as it appeared" none "$(bus_driver cdx $CDX_FN1)"
check_eq "kernel: override cleared" "(null)" "$(bus_override cdx $CDX_FN1)"
finish
