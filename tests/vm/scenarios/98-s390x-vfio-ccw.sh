#!/bin/bash
# vfio_ccw for real on s390x: Debian's linux-source-6.12 cross-compiled (custom-6.12-s390x; Debian's
# own s390x kernel does not build vfio_ccw) on QEMU's s390-ccw-virtio machine. A virtio-ccw
# device's I/O subchannel goes from io_subchannel to vfio_ccw through driver_override. The host
# has no IOMMU group at all and the subchannel needs none: vfio_ccw makes it an mdev parent, and a
# VFIO user opens an mdev made on it, whose emulated-IOMMU group type1 takes. The client reads the
# subchannel's SCHIB through the mdev and finds the device number sysfs shows. release refuses
# while the mdev exists (unbinding would remove it), then with --force gives the subchannel back
# to io_subchannel, whose probe makes the ccw device again.
# vm-kernels: custom-6.12-s390x
# vm-timeout: 600
. /vmtest/lib.sh

C=/sys/bus/css/devices

section "the machine: s390x, a channel subsystem, no IOMMU group"
check_eq "kernel: s390x" s390x "$(uname -m)"
check "modinfo vfio_ccw" modinfo vfio_ccw
check_eq "kmod: vfio_ccw's id table alias, css:t0 (every I/O subchannel's modalias)" vfio_ccw "$(modprobe -R css:t0)"
for s in $CCW_RNG $CCW_BALLOON; do
    check_eq "kernel: $s is an I/O subchannel" 0 "$(read_attr $C/$s/type)"
    check_eq "kernel: $s on io_subchannel" io_subchannel "$(bus_driver css $s)"
    check_absent "kernel: $s is in no IOMMU group" $C/$s/iommu_group
done
check_eq "kernel: $CCW_RNG holds ccw device $CCW_RNG_DEV" "$CCW_RNG_DEV" "$(read_attr $C/$CCW_RNG/dev_busid)"
check_eq "kernel: $CCW_RNG_DEV on virtio_ccw" virtio_ccw "$(link_name /sys/bus/ccw/devices/$CCW_RNG_DEV/driver)"
check_eq "kernel: no IOMMU group on the host" "" "$(ls /sys/kernel/iommu_groups 2>/dev/null)"
css_state=$(bus_snapshot css)

section "status and explain on the css bus"
check "vfioctl status --json" vjson /tmp/status.json status
json_vars /tmp/status.json ids='.devices[].address' drv='.devices[0].driver' mdevs='.devices[0].mdevs | length'
check_eq "vfioctl status: both I/O subchannels listed without a group" "$CCW_RNG $CCW_BALLOON" "$ids"
check_eq "vfioctl status: driver as sysfs has it, no mdev" "io_subchannel 0" "$drv $mdevs"
vfioctl status >/tmp/status.txt
check_fails "vfioctl status: no 'no IOMMU groups' note (subchannels need none)" grep -q "no IOMMU groups on this host" /tmp/status.txt
check "vfioctl explain css/$CCW_RNG" vjson /tmp/explain.json explain css/$CCW_RNG
json_vars /tmp/explain.json chosen='.chosen.module' reason='.reason'
check_eq "vfioctl: vfio_ccw chosen" vfio_ccw "$chosen"
check "vfioctl: the reason names driver_override" grep -q "binds through driver_override alone" <<<"$reason"
vfioctl explain css/$CCW_RNG >/tmp/explain.txt
check "vfioctl explain: no group needed" grep -q "group      none needed" /tmp/explain.txt

section "bind css/$CCW_RNG: vfio_ccw, no group, no --noiommu"
check_absent "kernel: vfio_ccw not loaded yet" /sys/module/vfio_ccw
expect_rc "vfioctl bind --owner 0:0 css/$CCW_RNG" 0 vfioctl bind --owner 0:0 css/$CCW_RNG
check_output "bind: no group of its own needed" "needs no IOMMU group of its own"
check_output "bind: --owner has no node yet, and says which one it will be" "--owner 0:0 has no node to change yet"
check_output "bind: how to make the mdev" "mdev_supported_types/vfio_ccw-io/create"
check_eq "kernel: $CCW_RNG on vfio_ccw" vfio_ccw "$(bus_driver css $CCW_RNG)"
check_eq "kernel: its override, as vfioctl set it" vfio_ccw "$(read_attr $C/$CCW_RNG/driver_override)"
check_exists "kernel: vfio_ccw made it an mdev parent" $C/$CCW_RNG/mdev_supported_types/vfio_ccw-io/create
check_absent "kernel: the ccw device left with io_subchannel" /sys/bus/ccw/devices/$CCW_RNG_DEV
check_eq "kernel: $CCW_BALLOON untouched" io_subchannel "$(bus_driver css $CCW_BALLOON)"

section "an mdev on it, opened by a VFIO user"
uuid=$(cat /proc/sys/kernel/random/uuid)
check "create mdev $uuid" wr "$uuid" "$C/$CCW_RNG/mdev_supported_types/vfio_ccw-io/create"
mgroup=$(link_name /sys/bus/mdev/devices/$uuid/iommu_group)
check_ne "kernel: the mdev has an IOMMU group (vfio's emulated one)" none "$mgroup"
check "vfioctl status --json css/$CCW_RNG" vjson /tmp/status2.json status css/$CCW_RNG
json_vars /tmp/status2.json muuid='.devices[0].mdevs[0].uuid' mtype='.devices[0].mdevs[0].type' \
    mg='.devices[0].mdevs[0].iommu_group' isvfio='.devices[0].is_vfio'
check_eq "vfioctl status: the mdev, its type and group" "$uuid vfio_ccw-io $mgroup true" "$muuid $mtype $mg $isvfio"
check "vfio-client mdev/$uuid" sh -c "vfio-client mdev/$uuid >/tmp/client.txt 2>&1"
indent </tmp/client.txt
check "client: type1 took the mdev's group" grep -qx "iommu=type1v2" /tmp/client.txt
check "client: a vfio-ccw device" grep -qx "device_ccw=1" /tmp/client.txt
check_eq "client: the SCHIB read through VFIO names device ${CCW_RNG_DEV##*.}" "ccw_schib_devno=${CCW_RNG_DEV##*.}" \
    "$(grep '^ccw_schib_devno=' /tmp/client.txt)"

section "release: refused while the mdev exists, then --force"
expect_rc "vfioctl release css/$CCW_RNG" 3 vfioctl release css/$CCW_RNG
check_output "the refusal names the mdev" "has mediated device $uuid (vfio_ccw-io), which unbinding removes"
check_eq "kernel: still on vfio_ccw" vfio_ccw "$(bus_driver css $CCW_RNG)"
check_exists "kernel: the mdev is still there" /sys/bus/mdev/devices/$uuid
expect_rc "vfioctl release --force css/$CCW_RNG" 0 vfioctl release --force css/$CCW_RNG
check_absent "kernel: the mdev went with vfio_ccw" /sys/bus/mdev/devices/$uuid
check_eq "kernel: $CCW_RNG back on io_subchannel" io_subchannel "$(bus_driver css $CCW_RNG)"
# io_subchannel's probe hands the device's recognition to cio's work queue: give it a moment.
for _ in 1 2 3 4 5 6 7 8 9 10; do
    [ -e /sys/bus/ccw/devices/$CCW_RNG_DEV/driver ] && break
    sleep 0.5
done
check_eq "kernel: io_subchannel made ccw device $CCW_RNG_DEV again, on virtio_ccw" virtio_ccw \
    "$(link_name /sys/bus/ccw/devices/$CCW_RNG_DEV/driver)"
check_unchanged "kernel: every subchannel as before" "$css_state" css
finish
