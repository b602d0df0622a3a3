#!/bin/bash
# The safety checks of vfioctl bind against the real kernel, each proven in sysfs: a refused bind
# (exit 3) changes nothing. An SR-IOV PF with VFs enabled is refused, while `vfioctl vfs --bind`
# creates VFs and gives them to the VF-only variant; a device whose IOMMU group has other
# endpoints on host drivers is refused, and --group takes the whole group (never the bridge);
# a NIC whose interface is up with an address is refused unless --force; two binds started
# together both complete (the lock serialises them).
# vm-timeout: 300
. /vmtest/lib.sh

back_on_host() {  # BDF DRIVER
    check_eq "kernel: $1 back on $2" "$2" "$(pci_driver "$1")"
    check_eq "kernel: $1 override cleared" "(null)" "$(pci_override "$1")"
}
netdev_of() {  # BDF: its (only) network interface
    local n
    for n in "$(pci_dir "$1")"/net/*; do [ -e "$n" ] && echo "${n##*/}"; return 0; done
}

boot_state=$(pci_snapshot)
# The snapshot compares something: it lists $NIC0 with its driver and unset override.
check_eq "pci_snapshot sees $NIC0" "$NIC0 e1000e (null)" "$(grep "^$NIC0 " <<<"$boot_state")"

section "SR-IOV: a PF with VFs enabled is refused"
sriov_enable $NVME_PF 2
check_exists "kernel: VF $NVME_VF1 exists" "$(pci_dir $NVME_VF1)"
before=$(pci_snapshot)
expect_rc "vfioctl bind $NVME_PF (VFs enabled)" 3 vfioctl bind $NVME_PF
check_output "the refusal says why" "SR-IOV"
check_unchanged "kernel: nothing changed" "$before"
# ...while one of its VFs binds on its own, to the VF-only variant.
check "vfioctl bind $NVME_VF1 (a VF of that PF)" vjson /tmp/vf.json bind $NVME_VF1
json_vars /tmp/vf.json vf_module='.devices[0].module'
check_eq "vfioctl: the VF-only variant" "$VF_VARIANT_MODULE" "$vf_module"
check_bound $NVME_VF1 $VF_VARIANT_DRIVER
check_eq "kernel: the other VF untouched" none "$(pci_driver $NVME_VF2)"
check_eq "kernel: the PF stays on nvme" nvme "$(pci_driver $NVME_PF)"
check "a VFIO client opens $NVME_VF1" vfio-client $NVME_VF1
check "vfioctl release $NVME_VF1" vfioctl release $NVME_VF1
check_eq "kernel: $NVME_VF1 unbound again, as it was" none "$(pci_driver $NVME_VF1)"
check_eq "kernel: $NVME_VF1 override cleared" "(null)" "$(pci_override $NVME_VF1)"
sriov_disable $NVME_PF
check_absent "kernel: VFs removed" "$(pci_dir $NVME_VF1)"

section "SR-IOV: vfioctl vfs $NVME_PF 2 --bind"
check_eq "kernel: autoprobe on before" 1 "$(read_attr "$(pci_dir $NVME_PF)/sriov_drivers_autoprobe")"
check "vfioctl vfs $NVME_PF 2 --bind" vjson /tmp/vfs.json vfs $NVME_PF 2 --bind
json_vars /tmp/vfs.json vfs='.vfs | join(" ")' modules='[.devices[].module] | join(" ")'
check_eq "vfioctl: the VFs it made" "$NVME_VF1 $NVME_VF2" "$vfs"
check_eq "vfioctl: both on the VF-only variant" "$VF_VARIANT_MODULE $VF_VARIANT_MODULE" "$modules"
check_eq "kernel: sriov_numvfs" 2 "$(read_attr "$(pci_dir $NVME_PF)/sriov_numvfs")"
check_bound $NVME_VF1 $VF_VARIANT_DRIVER
check_bound $NVME_VF2 $VF_VARIANT_DRIVER
check_eq "kernel: the PF stays on nvme" nvme "$(pci_driver $NVME_PF)"
check_eq "kernel: sriov_drivers_autoprobe back to 1" 1 "$(read_attr "$(pci_dir $NVME_PF)/sriov_drivers_autoprobe")"
check_exists "kernel: group node of $NVME_VF1" "/dev/vfio/$(pci_group $NVME_VF1)"
check "a VFIO client opens $NVME_VF1" vfio-client $NVME_VF1
check "vfioctl vfs $NVME_PF 0" vfioctl vfs $NVME_PF 0
check_absent "kernel: VFs removed" "$(pci_dir $NVME_VF1)"
check_eq "kernel: sriov_numvfs" 0 "$(read_attr "$(pci_dir $NVME_PF)/sriov_numvfs")"
check_absent "no journal left" /run/vfioctl/journal.json

section "IOMMU group: $BR_NIC0 shares group $(pci_group $BR_NIC0) with $BR_NIC1 and the bridge"
bridge_driver=$(pci_driver $PCI_BRIDGE)
before=$(pci_snapshot)
expect_rc "vfioctl bind $BR_NIC0 alone" 3 vfioctl bind $BR_NIC0
check_output "the refusal names the blocking device" "$BR_NIC1"
check_unchanged "kernel: nothing changed" "$before"

# All or nothing: with $BR_NIC1's interface in use, --group takes neither NIC.
br1_if=$(netdev_of $BR_NIC1)
check_ne "kernel: $BR_NIC1 has a network interface" "" "$br1_if"
ip addr add 192.0.2.11/24 dev "$br1_if"
ip link set "$br1_if" up
before=$(pci_snapshot)
expect_rc "vfioctl bind $BR_NIC0 --group (a member in use)" 3 vfioctl bind $BR_NIC0 --group
check_output "the refusal names the interface" "$br1_if"
check_unchanged "kernel: neither NIC changed" "$before"
ip link set "$br1_if" down
ip addr flush dev "$br1_if"

check "vfioctl bind $BR_NIC0 --group" vjson /tmp/group.json bind $BR_NIC0 --group
json_vars /tmp/group.json bound='[.devices[].device] | sort | join(" ")'
check_eq "vfioctl: both NICs, not the bridge" "$BR_NIC0 $BR_NIC1" "$bound"
check_bound $BR_NIC0 vfio-pci
check_bound $BR_NIC1 vfio-pci
check_eq "kernel: the bridge keeps its driver" "$bridge_driver" "$(pci_driver $PCI_BRIDGE)"
check_eq "kernel: the bridge has no override" "(null)" "$(pci_override $PCI_BRIDGE)"
vfio-client --status $BR_NIC0 >/tmp/client.txt 2>&1 || true
check_eq "kernel (VFIO_GROUP_GET_STATUS): the group is viable" viable=1 "$(grep ^viable= /tmp/client.txt)"
check "vfioctl release $BR_NIC0 $BR_NIC1" vfioctl release $BR_NIC0 $BR_NIC1
back_on_host $BR_NIC0 e1000
back_on_host $BR_NIC1 e1000

section "in use: $NIC0's interface up with an address"
nic0_if=$(netdev_of $NIC0)
check_ne "kernel: $NIC0 has a network interface" "" "$nic0_if"
ip addr add 192.0.2.1/24 dev "$nic0_if"
ip link set "$nic0_if" up
before=$(pci_snapshot)
expect_rc "vfioctl bind $NIC0" 3 vfioctl bind $NIC0
check_output "the refusal names the interface" "$nic0_if"
check_output "and the address" "192.0.2.1"
check_unchanged "kernel: nothing changed" "$before"
check "vfioctl bind $NIC0 --force" vfioctl bind $NIC0 --force
check_bound $NIC0 $VARIANT_DRIVER
check_absent "kernel: the interface went with e1000e" /sys/class/net/$nic0_if
check "vfioctl release $NIC0" vfioctl release $NIC0
back_on_host $NIC0 e1000e

section "two binds at once"
vfioctl bind $NIC0 --generic >/tmp/c0.out 2>&1 &
p0=$!
vfioctl bind $NIC1 --generic >/tmp/c1.out 2>&1 &
p1=$!
rc0=0 rc1=0
wait $p0 || rc0=$?
wait $p1 || rc1=$?
cat /tmp/c0.out /tmp/c1.out | indent
check_eq "both binds exit 0" "0 0" "$rc0 $rc1"
check_bound $NIC0 vfio-pci
check_bound $NIC1 vfio-pci
vfioctl release $NIC0 >/tmp/c0.out 2>&1 &
p0=$!
vfioctl release $NIC1 >/tmp/c1.out 2>&1 &
p1=$!
rc0=0 rc1=0
wait $p0 || rc0=$?
wait $p1 || rc1=$?
cat /tmp/c0.out /tmp/c1.out | indent
check_eq "both releases exit 0" "0 0" "$rc0 $rc1"
back_on_host $NIC0 e1000e
back_on_host $NIC1 e1000e
check_absent "no journal left" /run/vfioctl/journal.json
check_unchanged "kernel: every device where it booted" "$boot_state"

finish
