#!/bin/bash
# vfioctl status --json against the kernel: for every PCI device, the fields address, vendor,
# device, class, driver, driver_override, iommu_group and is_vfio must equal what sysfs says, in
# three states (as booted; after VFs, an override, a vfio bind and an unbind; after restoring).
# Then the group behind the conventional PCI bridge: its members as the kernel lists them, and
# group_viable as vfioctl reports it against VFIO_GROUP_GET_STATUS from a real VFIO client.
# vm-timeout: 240
. /vmtest/lib.sh

# One line per device straight from sysfs, in the shape status_lines prints. is_vfio: a device
# bound to vfio-pci or a variant has a vfio-dev/ child, the struct device that vfio_main.c
# registers in its "vfio-dev" class for every vfio_device (since v6.1; both kernels here).
sysfs_lines() {
    local d bdf vendor device class override group driver is_vfio
    for d in /sys/bus/pci/devices/*; do
        bdf=${d##*/}
        read_attr_to vendor "$d/vendor"
        read_attr_to device "$d/device"
        read_attr_to class "$d/class"
        read_attr_to override "$d/driver_override"
        [ "$override" = "(null)" ] && override=null
        link_name_to group "$d/iommu_group"
        [ "$group" = none ] && group=null
        link_name_to driver "$d/driver"
        [ "$driver" = none ] && driver=null
        is_vfio=false
        [ -d "$d/vfio-dev" ] && is_vfio=true
        echo "$bdf vendor=$vendor device=$device class=$class driver=$driver override=$override group=$group is_vfio=$is_vfio"
    done
}

status_lines() {  # STATUS-JSON
    jq -r '.devices[] | "\(.address) vendor=\(.vendor) device=\(.device) class=\(.class) driver=\(.driver // "null") override=\(.driver_override // "null") group=\(.iommu_group // "null") is_vfio=\(.is_vfio)"' "$1"
}

compare_status() {  # LABEL
    local label=$1 bdf rest
    local -A from_vfioctl=()
    vjson /tmp/status.json status || { fail "$label: vfioctl status --json failed"; return; }
    while read -r bdf rest; do from_vfioctl[$bdf]="$bdf $rest"; done < <(status_lines /tmp/status.json)
    local n=0 devices=(/sys/bus/pci/devices/*)
    while read -r bdf rest; do
        n=$((n + 1))
        check_eq "$label: $bdf" "$bdf $rest" "${from_vfioctl[$bdf]:-(not listed by vfioctl)}"
    done < <(sysfs_lines)
    # Guards against a comparison that silently compared nothing.
    check_eq "$label: every sysfs device compared" "${#devices[@]}" "$n"
    check_eq "$label: device count (sysfs vs vfioctl)" "${#devices[@]}" "${#from_vfioctl[@]}"
}

status_of() {  # BDF KEY: one field of vfioctl's status for one device
    local value
    vjson /tmp/status-one.json status "$1" || { echo "(vfioctl failed)"; return; }
    json_vars /tmp/status-one.json value=".devices[0].$2"
    echo "$value"
}

section "machine"
check_eq "e1000e at $NIC0" 8086:10d3 "$(pci_id $NIC0)"
check_eq "e1000e at $NIC1" 8086:10d3 "$(pci_id $NIC1)"
check_eq "NVMe at $NVME" 1b36:0010 "$(pci_id $NVME)"
check_eq "SR-IOV NVMe PF at $NVME_PF" 2 "$(cat "$(pci_dir $NVME_PF)/sriov_totalvfs")"
check_eq "pcie-pci-bridge at $PCI_BRIDGE" 1b36:000e "$(pci_id $PCI_BRIDGE)"
check_eq "e1000 behind the bridge at $BR_NIC0" 8086:100e "$(pci_id $BR_NIC0)"
check_eq "e1000 behind the bridge at $BR_NIC1" 8086:100e "$(pci_id $BR_NIC1)"
check_exists "the emulated IOMMU made groups" /sys/kernel/iommu_groups/0

section "status equals sysfs, as booted"
check_eq "$NIC0 has its native driver" e1000e "$(pci_driver $NIC0)"
compare_status booted

section "status equals sysfs after changes"
check "modprobe vfio-pci" modprobe vfio-pci
sriov_enable $NVME_PF 2
check_exists "VF 1 exists" "$(pci_dir $NVME_VF1)"
check_eq "VF 1 has no driver (autoprobe off)" none "$(pci_driver $NVME_VF1)"
# An override alone changes no binding until the next probe; vfioctl must show it all the same.
wr vfio-pci "$(pci_dir $NVME)/driver_override"
check_eq "$NVME override set, still on nvme" "vfio-pci nvme" "$(pci_override $NVME) $(pci_driver $NVME)"
sysfs_bind $NIC1 vfio-pci
check_bound $NIC1 vfio-pci
check_exists "/dev/vfio node for $NIC1's group" "/dev/vfio/$(pci_group $NIC1)"
sysfs_unbind $NIC0
check_eq "$NIC0 unbound" none "$(pci_driver $NIC0)"
compare_status changed

section "the group behind the conventional PCI bridge"
group=$(pci_group $BR_NIC0)
check_ne "$BR_NIC0 is in an IOMMU group" none "$group"
check_eq "the bridge and both NICs behind it form group $group (kernel's list)" \
    "$PCI_BRIDGE $BR_NIC0 $BR_NIC1" "$(group_members "$group")"
check_eq "$BR_NIC1 has the same group as $BR_NIC0" "$group" "$(pci_group $BR_NIC1)"
check_eq "vfioctl: group of $BR_NIC1" "$group" "$(status_of $BR_NIC1 iommu_group)"
check_eq "vfioctl: group not viable while both NICs are on e1000" false "$(status_of $BR_NIC0 group_viable)"

sysfs_bind $BR_NIC0 vfio-pci
check_bound $BR_NIC0 vfio-pci
check_eq "$BR_NIC1 is still on e1000" e1000 "$(pci_driver $BR_NIC1)"
vfio-client --status $BR_NIC0 >/tmp/client.txt 2>&1
check_eq "kernel (VFIO_GROUP_GET_STATUS): group $group not viable with $BR_NIC1 on e1000" viable=0 "$(grep ^viable= /tmp/client.txt)"
check_eq "vfioctl: group_viable of $BR_NIC0 is false" false "$(status_of $BR_NIC0 group_viable)"
check_eq "vfioctl: group_viable of $BR_NIC1 is false" false "$(status_of $BR_NIC1 group_viable)"
check_fails "the VFIO client cannot use a non-viable group" vfio-client $BR_NIC0

sysfs_bind $BR_NIC1 vfio-pci
check_bound $BR_NIC1 vfio-pci
vfio-client --status $BR_NIC0 >/tmp/client.txt 2>&1
check_eq "kernel: group $group viable with both NICs on vfio-pci (bridge has no driver)" viable=1 "$(grep ^viable= /tmp/client.txt)"
check_eq "vfioctl: group_viable of $BR_NIC0 is true" true "$(status_of $BR_NIC0 group_viable)"
vjson /tmp/explain.json explain $BR_NIC0
json_vars /tmp/explain.json members='.iommu_group.members[].name' viable=.iommu_group.viable
check_eq "vfioctl explain: the group's members" "$PCI_BRIDGE $BR_NIC0 $BR_NIC1" "$members"
check_eq "vfioctl explain: group viable" true "$viable"
check_eq "vfioctl: the bridge itself is not assignable" false "$(status_of $PCI_BRIDGE assignable)"
check "the VFIO client opens $BR_NIC0 in the shared group" vfio-client $BR_NIC0
compare_status "shared group on vfio-pci"

section "status equals sysfs after restoring"
for dev in $BR_NIC0 $BR_NIC1 $NIC0 $NIC1 $NVME; do sysfs_restore $dev; done
sriov_disable $NVME_PF
check_eq "$BR_NIC0 back on e1000" e1000 "$(pci_driver $BR_NIC0)"
check_eq "$NIC1 back on e1000e" e1000e "$(pci_driver $NIC1)"
check_eq "$NVME override cleared" "(null)" "$(pci_override $NVME)"
check_absent "VFs removed" "$(pci_dir $NVME_VF1)"
check_absent "/dev/vfio node for $NIC1's group is gone" "/dev/vfio/$(pci_group $NIC1)"
compare_status restored
check_eq "vfioctl: group_viable of $BR_NIC0 is false again" false "$(status_of $BR_NIC0 group_viable)"

finish
