#!/bin/bash
# The VFIO user path on the real kernel, with devices bound by raw sysfs writes (not vfioctl):
# a real client (tests/vm/client) opens the group, sees it viable, sets up a type1 container,
# gets the device fd, reads config space through it and maps DMA. Done for the generic vfio-pci,
# for the name-mismatch variant and for the VF-only variant, which proves the test variants are
# genuine vfio drivers. Also the kernel facts vfioctl relies on: driver_override wants the
# driver name, not the module name; the VF-only variant refuses a PF; restoring brings the
# native driver back and removes /dev/vfio/<group>.
# vm-timeout: 180
. /vmtest/lib.sh

# run_client BDF: the full client run, with its facts compared against sysfs.
run_client() {
    local bdf=$1 out=/tmp/client-$1.txt rc=0 vendor device
    vfio-client "$bdf" >"$out" 2>&1 || rc=$?
    check_eq "$bdf: VFIO client completes" 0 "$rc"
    if [ $rc -ne 0 ]; then indent <"$out"; return 0; fi
    fact() { sed -n "s/^$1=//p" "$out"; }
    check_eq "$bdf: client's group is the sysfs group" "$(pci_group "$bdf")" "$(fact group)"
    check_eq "$bdf: group viable (VFIO_GROUP_GET_STATUS)" 1 "$(fact viable)"
    check_eq "$bdf: type1 IOMMU set on the container" type1v2 "$(fact iommu)"
    check_eq "$bdf: device fd is a PCI device" 1 "$(fact device_pci)"
    read_attr_to vendor "$(pci_dir "$bdf")/vendor"
    read_attr_to device "$(pci_dir "$bdf")/device"
    check_eq "$bdf: config space read through the device fd has the sysfs IDs" "$vendor:$device" \
        "$(fact config_vendor):$(fact config_device)"
    check_eq "$bdf: DMA map and unmap through the IOMMU" ok "$(fact dma_map)"
    info "$(grep -E '^(num_regions|num_irqs|region0|msix_count)=' "$out" | tr '\n' ' ')"
}

check_vfio_node() {  # BDF: /dev/vfio/<its group> exists
    check_exists "$1: group device node" "/dev/vfio/$(pci_group "$1")"
}

section "vfio modules"
check "modprobe vfio-pci (softdep loads vfio_iommu_type1)" modprobe vfio-pci
check_exists "container device" /dev/vfio/vfio
check_exists "type1 IOMMU backend loaded" /sys/module/vfio_iommu_type1

section "generic vfio-pci on $NIC1"
sysfs_bind $NIC1 vfio-pci
check_bound $NIC1 vfio-pci
check_vfio_node $NIC1
run_client $NIC1

section "name-mismatch variant on $NIC0"
check "modprobe $VARIANT_MODULE" modprobe $VARIANT_MODULE
# driver_override is compared with the PCI driver's name (drivers/pci/pci-driver.c,
# pci_match_device()), so the module name binds nothing.
sysfs_bind $NIC0 $VARIANT_MODULE
check_eq "kernel: the module name in driver_override binds nothing" none "$(pci_driver $NIC0)"
sysfs_bind $NIC0 $VARIANT_DRIVER
check_bound $NIC0 $VARIANT_DRIVER
check_exists "$NIC0 has a vfio-dev child" "$(pci_dir $NIC0)/vfio-dev"
check_vfio_node $NIC0
run_client $NIC0

section "VF-only variant"
check "modprobe $VF_VARIANT_MODULE" modprobe $VF_VARIANT_MODULE
sriov_enable $NVME_PF 2
sysfs_bind $NVME_VF1 $VF_VARIANT_DRIVER
check_bound $NVME_VF1 $VF_VARIANT_DRIVER
check_vfio_node $NVME_VF1
run_client $NVME_VF1
# A plain controller has the VF's ID, so the override reaches probe(), which refuses it. The
# drivers_probe write itself succeeds (pitfall: only the driver link tells).
sysfs_bind $NVME $VF_VARIANT_DRIVER
check_eq "kernel: the VF-only variant refused the plain controller" none "$(pci_driver $NVME)"
check_absent "no group node for the refused controller" "/dev/vfio/$(pci_group $NVME)"
# vfio-pci refuses a PF while it has VFs (vfio_pci_core_register_device()).
sysfs_bind $NVME_PF vfio-pci
check_eq "kernel: vfio-pci refused the PF with VFs enabled" none "$(pci_driver $NVME_PF)"

section "restore"
sysfs_restore $NVME_VF1
check_eq "VF unbound again (autoprobe is off, no native driver probes)" none "$(pci_driver $NVME_VF1)"
sysfs_restore $NVME_PF
check_eq "PF back on nvme" nvme "$(pci_driver $NVME_PF)"
sriov_disable $NVME_PF
sysfs_restore $NVME
check_eq "$NVME back on nvme" nvme "$(pci_driver $NVME)"
for nic in $NIC0 $NIC1; do
    group=$(pci_group $nic)
    sysfs_restore $nic
    check_eq "$nic back on e1000e" e1000e "$(pci_driver $nic)"
    check_absent "$nic: group node removed" "/dev/vfio/$group"
done
check "modprobe -r $VARIANT_MODULE" modprobe -r $VARIANT_MODULE
check_absent "variant unloaded" /sys/module/$VARIANT_MODULE

finish
