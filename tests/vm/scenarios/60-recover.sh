#!/bin/bash
# vfioctl recover after kill -9, on the real kernel: a two-device bind is killed before its N-th
# sysfs write (the VFIOCTL_FAILPOINT of src/kernel/live_kernel.h) for several N, which leaves the
# first NIC anywhere from "override set" to "bound"; a journal stays under /run/vfioctl, further
# binds are refused until `vfioctl recover` puts every device back where it started (checked in
# sysfs) and removes the journal. The same for `vfioctl vfs --bind` killed between creating the
# VFs and binding them: recover removes the VFs and turns autoprobe back on.
# vm-timeout: 300
. /vmtest/lib.sh

journal=/run/vfioctl/journal.json
boot_state=$(pci_snapshot)
# The snapshot compares something: it lists $NIC0 with its driver and unset override.
check_eq "pci_snapshot sees $NIC0" "$NIC0 e1000e (null)" "$(grep "^$NIC0 " <<<"$boot_state")"
check "modprobe vfio-pci (so the first write is the same in every run)" modprobe vfio-pci

# Writes of `bind NIC0 NIC1 --generic` from e1000e: NIC0 override (1), unbind (2), drivers_probe
# (3), then the same for NIC1 (4, 5, 6).
for n in 2 3 4 6; do
    section "bind $NIC0 $NIC1 --generic, killed before write $n"
    expect_rc "vfioctl is killed" 137 env VFIOCTL_FAILPOINT=kill-before-write:$n vfioctl bind $NIC0 $NIC1 --generic
    info "left: $NIC0 $(pci_driver $NIC0)/$(pci_override $NIC0), $NIC1 $(pci_driver $NIC1)/$(pci_override $NIC1)"
    check "kernel: the killed run changed something" test "$boot_state" != "$(pci_snapshot)"
    check_exists "a journal is left" $journal
    expect_rc "another bind is refused until recover" 3 vfioctl bind $BR_NIC0 --group
    check_output "the refusal says to recover" "vfioctl recover"
    expect_rc "vfioctl recover" 0 vfioctl recover
    check_unchanged "kernel: every device where it booted" "$boot_state"
    check_eq "kernel: $NIC0 and $NIC1 on e1000e" "e1000e e1000e" "$(pci_driver $NIC0) $(pci_driver $NIC1)"
    check_absent "the journal is gone" $journal
done

section "release $NIC0 $NIC1, killed before write 4: recover undoes the release"
# Writes of the release: NIC0 override cleared (1), unbind (2), drivers_probe (3), NIC1's override (4).
check "vfioctl bind $NIC0 $NIC1 --generic" vfioctl bind $NIC0 $NIC1 --generic
bound_state=$(pci_snapshot)
expect_rc "vfioctl release is killed" 137 env VFIOCTL_FAILPOINT=kill-before-write:4 vfioctl release $NIC0 $NIC1
check_eq "kernel: $NIC0 went back to e1000e before the kill" e1000e "$(pci_driver $NIC0)"
check_exists "a journal is left" $journal
expect_rc "vfioctl recover" 0 vfioctl recover
# The journal holds the state before the release: recover puts both back on vfio-pci.
check_unchanged "kernel: both on vfio-pci again, as before the release" "$bound_state"
check_absent "the journal is gone" $journal
check "vfioctl release $NIC0 $NIC1 (the bindings are still vfioctl's)" vfioctl release $NIC0 $NIC1
check_unchanged "kernel: every device where it booted" "$boot_state"

section "recover with nothing to recover"
expect_rc "vfioctl recover" 0 vfioctl recover
check_unchanged "kernel: nothing changed" "$boot_state"

section "vfs $NVME_PF 2 --bind, killed before write 4"
# Writes: autoprobe 0 (1), sriov_numvfs 2 (2), VF1 override (3), VF1 drivers_probe (4).
autoprobe=$(pci_dir $NVME_PF)/sriov_drivers_autoprobe
expect_rc "vfioctl is killed" 137 env VFIOCTL_FAILPOINT=kill-before-write:4 vfioctl vfs $NVME_PF 2 --bind
check_exists "kernel: the VFs were made" "$(pci_dir $NVME_VF1)"
check_eq "kernel: autoprobe is off" 0 "$(read_attr "$autoprobe")"
check_exists "a journal is left" $journal
expect_rc "vfioctl recover" 0 vfioctl recover
check_absent "kernel: the VFs are gone" "$(pci_dir $NVME_VF1)"
check_eq "kernel: sriov_numvfs back to 0" 0 "$(read_attr "$(pci_dir $NVME_PF)/sriov_numvfs")"
check_eq "kernel: autoprobe back on" 1 "$(read_attr "$autoprobe")"
check_unchanged "kernel: every device where it booted" "$boot_state"
check_absent "the journal is gone" $journal

finish
