#!/bin/bash
# vfioctl bind and release against the real kernel, checked in sysfs: the name-mismatch variant
# chosen on its own for the e1000e and loaded through libkmod; the generic vfio-pci (--generic)
# with --owner; --driver in module and driver spelling; a bind that is already done; the VF-only
# variant refusing a plain NVMe and vfioctl falling back to vfio-pci; a VFIO client opening what
# vfioctl bound. Then what must touch nothing: bad input (exit 2) and --dry-run.
# vm-timeout: 300
. /vmtest/lib.sh

# back_on_host BDF DRIVER: released, as the kernel sees it.
back_on_host() {
    check_eq "kernel: $1 back on $2" "$2" "$(pci_driver "$1")"
    check_eq "kernel: $1 override cleared" "(null)" "$(pci_override "$1")"
}

boot_state=$(pci_snapshot)
# The snapshot compares something: it lists $NIC0 with its driver and unset override.
check_eq "pci_snapshot sees $NIC0" "$NIC0 e1000e (null)" "$(grep "^$NIC0 " <<<"$boot_state")"
nic0_group=$(pci_group $NIC0)
nic1_group=$(pci_group $NIC1)

section "bind $NIC0: the name-mismatch variant, chosen and loaded by vfioctl"
check_absent "$VARIANT_MODULE not loaded before" /sys/module/$VARIANT_MODULE
check "vfioctl bind $NIC0" vjson /tmp/bind.json bind $NIC0
json_vars /tmp/bind.json result=.result module='.devices[0].module' driver='.devices[0].driver'
check_eq "vfioctl: result" ok "$result"
check_eq "vfioctl: module used" "$VARIANT_MODULE" "$module"
check_eq "vfioctl: driver used" "$VARIANT_DRIVER" "$driver"
check_exists "kernel: vfioctl loaded $VARIANT_MODULE (libkmod)" /sys/module/$VARIANT_MODULE
check_bound $NIC0 $VARIANT_DRIVER
# driver_override stays on the vfio driver, so a later reprobe cannot give it back to e1000e.
check_eq "kernel: $NIC0 override names the driver, not the module" "$VARIANT_DRIVER" "$(pci_override $NIC0)"
check_exists "kernel: group node" /dev/vfio/$nic0_group
check "a VFIO client opens the device vfioctl bound" vfio-client $NIC0

section "bind again: nothing to do"
before=$(pci_snapshot)
check "vfioctl bind $NIC0 (again)" vjson /tmp/bind.json bind $NIC0
json_vars /tmp/bind.json result=.result changed='.devices[0].changed'
check_eq "vfioctl: result" nothing-to-do "$result"
check_eq "vfioctl: device not changed" false "$changed"
check_unchanged "kernel: no binding changed" "$before"
check "--driver in the driver's spelling: nothing to do" vfioctl bind $NIC0 --driver $VARIANT_DRIVER
check_unchanged "kernel: no binding changed" "$before"

section "release $NIC0"
check "vfioctl release $NIC0" vfioctl release $NIC0
back_on_host $NIC0 e1000e
check_absent "kernel: group node removed" /dev/vfio/$nic0_group

section "bind $NIC1 --generic --owner 65534:65534"
check_absent "vfio_pci not loaded before" /sys/module/vfio_pci
check "vfioctl bind $NIC1 --generic --owner 65534:65534" vfioctl bind $NIC1 --generic --owner 65534:65534
check_exists "kernel: vfioctl loaded vfio_pci" /sys/module/vfio_pci
check_bound $NIC1 vfio-pci
check_eq "kernel: $NIC1 override" vfio-pci "$(pci_override $NIC1)"
check_eq "kernel: /dev/vfio/$nic1_group owned by 65534:65534" 65534:65534 "$(stat -c %u:%g /dev/vfio/$nic1_group 2>&1)"
# CONFIG_VFIO_DEVICE_CDEV (6.6+, with iommufd): the device's own node, named after its vfio-dev
# class device, which then has a dev attribute. Debian bookworm's kernels are built without
# iommufd, so here doctor must say the group API is what there is.
vfio_dev=$(ls "$(pci_dir $NIC1)/vfio-dev" 2>/dev/null | head -n 1)
if [ -e "$(pci_dir $NIC1)/vfio-dev/$vfio_dev/dev" ]; then
    check_exists "kernel: $NIC1's device cdev" "/dev/vfio/devices/$vfio_dev"
    check_eq "kernel: /dev/vfio/devices/$vfio_dev owned by 65534:65534" 65534:65534 \
        "$(stat -c %u:%g /dev/vfio/devices/$vfio_dev 2>&1)"
else
    check_absent "kernel: no device cdev for $vfio_dev" /dev/vfio/devices/$vfio_dev
    check "vfioctl --json doctor" bash -c 'vfioctl --json doctor >/tmp/doctor.json; [ $? -le 1 ]'
    json_vars /tmp/doctor.json interfaces='.findings[] | select(.check == "vfio-interfaces") | .summary'
    check "doctor: no device cdev, the group API is used ($interfaces)" \
        bash -c '[[ $1 == *"no vfio device cdev"* ]]' _ "$interfaces"
fi
check "a VFIO client opens it" vfio-client $NIC1
check "vfioctl release $NIC1" vfioctl release $NIC1
back_on_host $NIC1 e1000e

section "--driver, every spelling"
for spelling in vfio_pci vfio-pci; do
    check "vfioctl bind $NIC0 --driver $spelling" vfioctl bind $NIC0 --driver $spelling
    check_bound $NIC0 vfio-pci
    check "vfioctl release $NIC0" vfioctl release $NIC0
    back_on_host $NIC0 e1000e
done
check "vfioctl bind $NIC0 --driver $VARIANT_MODULE (module spelling)" vfioctl bind $NIC0 --driver $VARIANT_MODULE
check_bound $NIC0 $VARIANT_DRIVER
check "vfioctl release $NIC0" vfioctl release $NIC0
back_on_host $NIC0 e1000e
# The driver's spelling while its module is not loaded: no /sys/module link names the driver
# yet, so vfioctl must find the module behind "$VARIANT_DRIVER" itself.
rmmod $VARIANT_MODULE
check_absent "$VARIANT_MODULE unloaded" /sys/module/$VARIANT_MODULE
check "vfioctl bind $NIC0 --driver $VARIANT_DRIVER (driver spelling, not loaded)" vfioctl bind $NIC0 --driver $VARIANT_DRIVER
check_exists "kernel: vfioctl loaded $VARIANT_MODULE" /sys/module/$VARIANT_MODULE
check_bound $NIC0 $VARIANT_DRIVER
# From one vfio driver to another: unbind from the variant, bind vfio-pci.
check "vfioctl bind $NIC0 --generic (variant -> vfio-pci)" vfioctl bind $NIC0 --generic
check_bound $NIC0 vfio-pci
check "vfioctl release $NIC0" vfioctl release $NIC0
back_on_host $NIC0 e1000e

section "fallback: the VF-only variant refuses the plain NVMe $NVME"
check_absent "$VF_VARIANT_MODULE not loaded before" /sys/module/$VF_VARIANT_MODULE
check "vfioctl bind $NVME" vjson /tmp/bind.json bind $NVME
json_vars /tmp/bind.json module='.devices[0].module' driver='.devices[0].driver' \
    first='.devices[0].attempts[0].module' first_outcome='.devices[0].attempts[0].outcome' \
    attempts='.devices[0].attempts | length'
check_eq "vfioctl: first attempt was the VF-only variant" "$VF_VARIANT_MODULE" "$first"
info "its outcome: $first_outcome"
check "vfioctl: it says the variant refused the device" bash -c '[[ $1 == *refused* ]]' _ "$first_outcome"
check_eq "vfioctl: fell back to vfio_pci" "vfio_pci vfio-pci" "$module $driver"
check_eq "vfioctl: two attempts" 2 "$attempts"
check_exists "kernel: the variant was loaded for the attempt" /sys/module/$VF_VARIANT_MODULE
check_bound $NVME vfio-pci
check_eq "kernel: $NVME override" vfio-pci "$(pci_override $NVME)"
check "vfioctl release $NVME" vfioctl release $NVME
back_on_host $NVME nvme
# The text report says which driver was used and why the first was skipped.
check "vfioctl bind $NVME (text report)" bash -c "vfioctl bind $NVME >/tmp/bind.txt 2>&1"
indent </tmp/bind.txt
check "text report names the skipped variant" grep -q "$VF_VARIANT_MODULE skipped" /tmp/bind.txt
check "text report names the driver used" grep -q "vfio-pci" /tmp/bind.txt
check_bound $NVME vfio-pci
check "vfioctl release $NVME" vfioctl release $NVME
back_on_host $NVME nvme
check_unchanged "kernel: every device where it booted" "$boot_state"

section "release loads the host driver's module when it is gone"
check "vfioctl bind $NIC0" vfioctl bind $NIC0
rmmod e1000e
check_absent "e1000e unloaded (it took $NIC1 with it)" /sys/module/e1000e
check "vfioctl release $NIC0" vfioctl release $NIC0
check_exists "kernel: vfioctl loaded e1000e again" /sys/module/e1000e
back_on_host $NIC0 e1000e
check_eq "kernel: $NIC1 back on e1000e too (the driver's attach on load)" e1000e "$(pci_driver $NIC1)"
# A device vfioctl did not bind: no record names its host driver, so release --force asks kmod
# what its own pci: modalias resolves to, as udev's modprobe would.
modprobe vfio-pci
sysfs_bind $NIC0 vfio-pci
check_eq "kernel: $NIC0 bound to vfio-pci by hand" vfio-pci "$(pci_driver $NIC0)"
rmmod e1000e
check_absent "e1000e unloaded" /sys/module/e1000e
expect_rc "vfioctl release $NIC0 (not bound by vfioctl)" 3 vfioctl release $NIC0
check "vfioctl release --force $NIC0" vfioctl release --force $NIC0
check_exists "kernel: e1000e loaded from $NIC0's modalias" /sys/module/e1000e
back_on_host $NIC0 e1000e
check_unchanged "kernel: every device where it booted" "$boot_state"

section "release after the vfio driver was unloaded: the override still holds the device"
check "vfioctl bind $NIC1 --generic" vfioctl bind $NIC1 --generic
check_bound $NIC1 vfio-pci
rmmod vfio_pci
check_eq "kernel: $NIC1 unbound by the rmmod" none "$(pci_driver $NIC1)"
check_eq "kernel: its override still names vfio-pci" vfio-pci "$(pci_override $NIC1)"
# The override keeps e1000e from taking it, even when asked to probe.
echo $NIC1 >/sys/bus/pci/drivers_probe
check_eq "kernel: drivers_probe leaves it unbound" none "$(pci_driver $NIC1)"
vfioctl --json doctor >/tmp/doctor.json 2>/dev/null || true
json_vars /tmp/doctor.json stranded='.findings[] | select(.check == "stranded") | .details | join(" | ")'
check_eq "vfioctl doctor: $NIC1 is stranded" "$NIC1: unbound, driver_override=vfio-pci" "$stranded"
check "vfioctl release $NIC1 (its record says vfioctl bound it)" vfioctl release $NIC1
back_on_host $NIC1 e1000e
# The same state left by someone else needs --force, and never unbinds a working host driver:
# a rebind would make a new network interface, with a new ifindex.
ifindex_before=$(cat "$(pci_dir $NIC1)"/net/*/ifindex)
wr vfio-pci "$(pci_dir $NIC1)/driver_override"
expect_rc "vfioctl release $NIC1 (override vfioctl did not set)" 3 vfioctl release $NIC1
check_output "the refusal names the override" "driver_override=vfio-pci"
check_eq "kernel: the refused release changed nothing" vfio-pci "$(pci_override $NIC1)"
check "vfioctl release --force $NIC1" vfioctl release --force $NIC1
back_on_host $NIC1 e1000e
check_eq "kernel: it stayed on e1000e (same network interface)" "$ifindex_before" "$(cat "$(pci_dir $NIC1)"/net/*/ifindex)"
check_unchanged "kernel: every device where it booted" "$boot_state"

section "bad input: exit 2, nothing touched"
before=$(pci_snapshot)
expect_rc "malformed address" 2 vfioctl bind 0000:01:00
expect_rc "malformed address (letters)" 2 vfioctl bind 0000:zz:00.0
expect_rc "no such device" 2 vfioctl bind 0000:09:00.0
check_output "the missing device is named" 0000:09:00.0
expect_rc "unknown driver" 2 vfioctl bind $NIC0 --driver no_such_vfio_driver
expect_rc "--driver with shell metacharacters" 2 vfioctl bind $NIC0 --driver 'vfio-pci;touch /tmp/pwned'
expect_rc "--driver with a command substitution" 2 vfioctl bind $NIC0 --driver '$(touch /tmp/pwned)'
expect_rc "--driver with a path" 2 vfioctl bind $NIC0 --driver ../../../tmp/x
expect_rc "release: no such device" 2 vfioctl release 0000:09:00.0
expect_rc "--owner with an unknown user" 2 vfioctl bind $NIC1 --generic --owner no-such-user-here
check_absent "no command ran" /tmp/pwned
check_unchanged "kernel: no binding or override changed" "$before"
check_absent "no journal left" /run/vfioctl/journal.json

section "--dry-run: the plan, nothing done"
rmmod $VF_VARIANT_MODULE || true
check_absent "$VF_VARIANT_MODULE unloaded for the dry run" /sys/module/$VF_VARIANT_MODULE
expect_rc "vfioctl bind --dry-run $NIC0 $NVME" 0 vfioctl bind --dry-run $NIC0 $NVME
indent </tmp/rc.out
check_output "plan: $NIC0's variant driver" "$VARIANT_DRIVER > /sys/bus/pci/devices/$NIC0/driver_override"
check_output "plan: unbind $NIC0 from e1000e" "$NIC0 > /sys/bus/pci/drivers/e1000e/unbind"
check_output "plan: load the VF-only variant for $NVME" "load module $VF_VARIANT_MODULE"
check_output "plan: vfio_pci if the variant refuses" "then: vfio_pci"
check_unchanged "kernel: no binding or override changed" "$before"
check_absent "kernel: the dry run loaded no module" /sys/module/$VF_VARIANT_MODULE
expect_rc "vfioctl --json bind --dry-run --group $NIC1" 0 vfioctl --json bind --dry-run --group $NIC1
check_output "JSON plan" '"result": "planned"'
check_unchanged "kernel: no binding or override changed" "$before"
check_absent "no journal left" /run/vfioctl/journal.json

finish
