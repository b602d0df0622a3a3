#!/bin/bash
# The harness itself, for the scenarios that build on it: files handed to persist survive a
# reboot while kernel state does not (persistence), and a host hook hot-unplugs a device through
# QMP while the guest watches (hotplug; 00-harness.host.sh). Kernel-independent, so one kernel.
# vm-boots: 2
# vm-kernels: linux-image-amd64
# vm-timeout: 150
. /vmtest/lib.sh

if [ "$VM_BOOT" = 1 ]; then
    section "boot 1 of 2: state to keep, state to lose"
    mkdir -p /etc/vfioctl-harness
    echo "written in boot 1" >/etc/vfioctl-harness/note
    persist /etc/vfioctl-harness
    wr vfio-pci "$(pci_dir $NIC1)/driver_override"
    check_eq "driver_override set in boot 1" vfio-pci "$(pci_override $NIC1)"
else
    section "boot 2 of 2: after the reboot"
    check_eq "a persisted file survived" "written in boot 1" "$(cat /etc/vfioctl-harness/note 2>&1)"
    check_eq "kernel state did not: driver_override is unset again" "(null)" "$(pci_override $NIC1)"

    section "hot-unplug from the host hook (QMP device_del, pciehp in the guest)"
    check_exists "$NIC1 present" "$(pci_dir $NIC1)"
    echo "VM-HOST: unplug nic1"
    # pciehp waits out the attention-button delay (5 s) before removing the device.
    for _ in $(seq 150); do [ -e "$(pci_dir $NIC1)" ] || break; sleep 0.2; done
    check_absent "$NIC1 removed" "$(pci_dir $NIC1)"
    check_eq "$NIC0 untouched" e1000e "$(pci_driver $NIC0)"
fi
finish
