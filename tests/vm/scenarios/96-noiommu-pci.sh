#!/bin/bash
# --noiommu for real, on PCI: the custom-6.1 kernel (CONFIG_VFIO_NOIOMMU, which no Debian kernel
# has; scenario 55 shows the refusal there) booted with its IOMMU off. vfioctl turns vfio's
# enable_unsafe_noiommu_mode on, binds the NVMe controller to vfio-pci, vfio puts it in a
# vfio-noiommu group (vfio_group_find_or_alloc) and taints the kernel, a client opens it through
# the no-IOMMU container and reads its config space, and release gives it back and turns the
# mode off again. This kernel has no nvme driver, so "back" is unbound, as it started.
# vm-kernels: custom-6.1
# vm-append: intel_iommu=off
. /vmtest/lib.sh

noiommu_param=/sys/module/vfio/parameters/enable_unsafe_noiommu_mode
check_absent "kernel: no IOMMU group at all" /sys/kernel/iommu_groups/0
check_eq "kernel: $NVME has no driver here" none "$(pci_driver $NVME)"
boot_state=$(pci_snapshot)

section "without --noiommu: refused"
expect_rc "vfioctl bind $NVME" 3 vfioctl bind $NVME
check_output "the refusal names --noiommu" "--noiommu"
check_unchanged "kernel: nothing changed" "$boot_state"

section "bind --noiommu"
check "vfioctl bind --noiommu $NVME" vjson /tmp/bind.json bind --noiommu $NVME
json_vars /tmp/bind.json result=.result driver='.devices[0].driver' notes='.notes | join(" | ")'
check_eq "vfioctl: result" ok "$result"
check_eq "vfioctl: driver" vfio-pci "$driver"
check "vfioctl: it says it turned no-IOMMU mode on" grep -q "enabled vfio's enable_unsafe_noiommu_mode" <<<"$notes"
check_bound $NVME vfio-pci
check_eq "kernel: no-IOMMU mode on" Y "$(read_attr $noiommu_param)"
group=$(pci_group $NVME)
check_ne "kernel: vfio gave it a group" none "$group"
check_eq "kernel: a vfio-noiommu group" vfio-noiommu "$(read_attr /sys/kernel/iommu_groups/$group/name)"
check_exists "kernel: its node" /dev/vfio/noiommu-$group
check_absent "kernel: no ordinary node" /dev/vfio/$group
check "kernel: tainted (TAINT_USER)" test $(( $(cat /proc/sys/kernel/tainted) & 64 )) -ne 0
check "vfioctl status $NVME" vjson /tmp/status.json status $NVME
json_vars /tmp/status.json sdriver='.devices[0].driver' sgroup='.devices[0].iommu_group'
check_eq "vfioctl status: driver and group as sysfs has them" "vfio-pci $group" "$sdriver $sgroup"

vfio-client $NVME >/tmp/client.txt 2>&1
check_eq "client: the whole sequence works" 0 $?
indent </tmp/client.txt
check_eq "client: the group node" "group_node=/dev/vfio/noiommu-$group" "$(grep '^group_node=' /tmp/client.txt)"
check_eq "client: no-IOMMU container" iommu=noiommu "$(grep '^iommu=' /tmp/client.txt)"
check_eq "client: config space through the device fd" "config_vendor=1b36 config_device=0010" \
    "$(grep '^config_vendor=' /tmp/client.txt) $(grep '^config_device=' /tmp/client.txt)"

section "bind again: nothing to do; release"
check "vfioctl bind --noiommu $NVME (again)" vjson /tmp/bind.json bind --noiommu $NVME
json_vars /tmp/bind.json result=.result
check_eq "vfioctl: result" nothing-to-do "$result"
check "vfioctl release $NVME" vjson /tmp/release.json release $NVME
json_vars /tmp/release.json notes='.notes | join(" | ")'
check_unchanged "kernel: every PCI device as at boot" "$boot_state"
check_eq "kernel: no-IOMMU mode off again (vfioctl turned it on)" N "$(read_attr $noiommu_param)"
check "vfioctl: it says so" grep -q "turned vfio's enable_unsafe_noiommu_mode off again" <<<"$notes"
check_absent "kernel: the no-IOMMU group is gone" /dev/vfio/noiommu-$group
check_absent "no journal left" /run/vfioctl/journal.json
finish
