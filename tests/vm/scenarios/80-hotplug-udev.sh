#!/bin/bash
# Hotplug through udev, as on a Debian host: Debian's udevd runs Debian's 80-drivers.rules and
# vfioctl's 70-vfioctl.rules (dist/udev). SR-IOV VFs that appear are bound by the rule as they
# appear (only the VF the configuration names), and a device added while its host driver's module
# is not loaded goes to vfio first: the module that udev then loads for it (80-drivers.rules)
# takes the other NIC, not this one.
# vm-udev: yes
# vm-timeout: 240
. /vmtest/lib.sh

mkdir -p /etc/vfioctl
cat >/etc/vfioctl/vfioctl.toml <<CONF
[[device]]
address = "$NIC1"
driver = "generic"

[[device]]
pf = "$NVME_PF"
vfs = [0]
CONF
start_udevd

section "VFs that appear are bound by the udev rule, only the one the configuration names"
check_eq "before: $NVME_PF has no VFs" 0 "$(read_attr "$(pci_dir $NVME_PF)/sriov_numvfs")"
sriov_enable $NVME_PF 2   # autoprobe off: the VFs appear unbound, as a host about to assign them
udev_settle
check_eq "kernel: VF 0 ($NVME_VF1) on the VF variant" "$VF_VARIANT_DRIVER" "$(pci_driver $NVME_VF1)"
check_eq "kernel: VF 0's driver_override" "$VF_VARIANT_DRIVER" "$(pci_override $NVME_VF1)"
check_eq "kernel: VF 1 ($NVME_VF2) left alone" none "$(pci_driver $NVME_VF2)"
check_eq "kernel: VF 1 has no override" "(null)" "$(pci_override $NVME_VF2)"
check_exists "kernel: VF 0's group node" "/dev/vfio/$(pci_group $NVME_VF1)"
check "a VFIO client opens the VF the rule bound" vfio-client $NVME_VF1
vfioctl --json status $NVME_VF1 >/tmp/vf.json
json_vars /tmp/vf.json vf_driver='.devices[0].driver'
check_eq "vfioctl status agrees" "$VF_VARIANT_DRIVER" "$vf_driver"
check "no journal left behind" test ! -e /run/vfioctl/journal.json
check "release gives the VF back (the rule's bind is recorded as vfioctl's)" vfioctl release $NVME_VF1
check_eq "kernel: VF 0 unbound again after release" none "$(pci_driver $NVME_VF1)"
check_eq "kernel: VF 0's override cleared" "(null)" "$(pci_override $NVME_VF1)"
sriov_disable $NVME_PF
udev_settle

section "a device added before its host driver's module loads goes to vfio first"
check_eq "before: $NIC1 on e1000e" e1000e "$(pci_driver $NIC1)"
wr 1 "$(pci_dir $NIC1)/remove"
rmmod e1000e
check_absent "e1000e unloaded" /sys/module/e1000e
check_eq "$NIC0 unbound with it" none "$(pci_driver $NIC0)"
echo "vfioctl-vmtest: rescan for $NIC1" >/dev/kmsg
wr 1 /sys/bus/pci/rescan
udev_settle
check_exists "$NIC1 is back" "$(pci_dir $NIC1)"
# The end state alone would not show the order: had e1000e loaded first, it would have bound
# $NIC1 and vfioctl would have moved it. e1000e's probe logs "e1000e <BDF> ethN: ..." for every
# device it takes, so after the marker it must name $NIC0 only.
dmesg | sed -n '/vfioctl-vmtest: rescan for/,$p' >/tmp/after-rescan.log
check "kernel log: e1000e probed $NIC0 after the rescan (the log check can see a probe)" grep -q "e1000e $NIC0" /tmp/after-rescan.log
check_fails "kernel log: e1000e never probed $NIC1" grep "e1000e $NIC1" /tmp/after-rescan.log
check_eq "kernel: $NIC1 on vfio-pci" vfio-pci "$(pci_driver $NIC1)"
check_eq "kernel: $NIC1's driver_override" vfio-pci "$(pci_override $NIC1)"
check_exists "udev loaded e1000e for the new device (80-drivers.rules ran after vfioctl)" /sys/module/e1000e
check_eq "kernel: e1000e took $NIC0, which no rule names" e1000e "$(pci_driver $NIC0)"
check "a VFIO client opens $NIC1" vfio-client $NIC1

section "a device no rule names is left to its host driver"
wr 1 "$(pci_dir $NIC0)/remove"
wr 1 /sys/bus/pci/rescan
udev_settle
check_eq "kernel: $NIC0 back on e1000e" e1000e "$(pci_driver $NIC0)"
check_eq "kernel: $NIC0 has no override" "(null)" "$(pci_override $NIC0)"
finish
