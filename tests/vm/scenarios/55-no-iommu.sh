#!/bin/bash
# The kernel booted with its IOMMU off (intel_iommu=off): no device has an IOMMU group. vfioctl
# refuses to bind (exit 3), and --noiommu cannot help on Debian's kernels, which build vfio
# without CONFIG_VFIO_NOIOMMU: with vfio not loaded the parameter write finds out before any
# device is touched (exit 1); with vfio loaded the missing parameter is seen up front (exit 3).
# vm-append: intel_iommu=off
. /vmtest/lib.sh

boot_state=$(pci_snapshot)
check_absent "kernel: no IOMMU group at all" /sys/kernel/iommu_groups/0
check_eq "kernel: $NIC1 has no group" none "$(pci_group $NIC1)"
check "vfioctl status" vjson /tmp/status.json status
json_vars /tmp/status.json iommu='.iommu_present'
check_eq "vfioctl: no IOMMU present" false "$iommu"

section "bind without an IOMMU"
expect_rc "vfioctl bind $NIC1" 3 vfioctl bind $NIC1
check_output "the refusal says how to turn the IOMMU on" "intel_iommu=on"
check_unchanged "kernel: nothing changed" "$boot_state"

section "--noiommu on a kernel without no-IOMMU mode"
check_absent "kernel: vfio not loaded yet" /sys/module/vfio/initstate
expect_rc "vfioctl bind --noiommu $NIC1 (vfio not loaded)" 1 vfioctl bind --noiommu $NIC1
check_output "the failure names the kernel option" "CONFIG_VFIO_NOIOMMU"
check_output "and says nothing was bound" "nothing was bound"
check_exists "kernel: vfio loaded by the attempt" /sys/module/vfio/initstate
check_absent "kernel: vfio has no enable_unsafe_noiommu_mode" /sys/module/vfio/parameters/enable_unsafe_noiommu_mode
check_unchanged "kernel: no device changed" "$boot_state"
check_absent "no journal left" /run/vfioctl/journal.json
expect_rc "vfioctl bind --noiommu $NIC1 (vfio loaded)" 3 vfioctl bind --noiommu $NIC1
check_output "refused up front, naming the kernel option" "CONFIG_VFIO_NOIOMMU"
check_unchanged "kernel: no device changed" "$boot_state"
finish
