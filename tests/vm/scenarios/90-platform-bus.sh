#!/bin/bash
# The platform bus on the real kernel, the one non-PCI VFIO bus an x86 guest has. vfioctl reads
# its devices as the kernel shows them (driver links, "(null)" overrides, ACPI companions) and
# lists none in `status` when none sits behind an IOMMU. What vfio cannot take is refused with
# nothing touched: Debian builds no vfio-platform, and a q35 guest's platform devices have no
# IOMMU group. A device left pinned to vfio-platform by its driver_override is given back, the
# host driver's module loaded from the device's own platform: or acpi: modalias.
# vm-timeout: 240
. /vmtest/lib.sh

P=/sys/bus/platform/devices
plat_driver() { link_name "$P/$1/driver"; }
plat_override() { read_attr "$P/$1/driver_override"; }
boot_state=$(bus_snapshot platform)
pci_state=$(pci_snapshot)
check_eq "bus_snapshot sees serial8250" "serial8250 serial8250 (null)" "$(grep '^serial8250 ' <<<"$boot_state")"

section "status: every platform device as sysfs shows it"
names=() expected=()
for d in $P/*; do
    n=${d##*/}
    link_name_to drv "$d/driver"
    read_attr_to ov "$d/driver_override"
    names+=("platform/$n")
    expected+=("$n=$drv=$ov")
done
check "the guest has several platform devices (${#names[@]})" test ${#names[@]} -ge 4
check "vfioctl status ${#names[@]} platform devices" vjson /tmp/plat.json status "${names[@]}"
json_vars /tmp/plat.json seen='[.devices[] | "\(.address)=\(.driver // "none")=\(.driver_override // "(null)")"] | sort | join(" ")' \
    buses='[.devices[].bus] | unique | join(" ")'
check_eq "vfioctl: each device's driver and override, as sysfs has them" \
    "$(printf '%s\n' "${expected[@]}" | sort | tr '\n' ' ' | sed 's/ $//')" "$seen"
check_eq "vfioctl: all on the platform bus" platform "$buses"
grouped=$(for d in $P/*; do [ -e "$d/iommu_group" ] && echo "${d##*/}"; done | wc -l)
check_eq "kernel: no platform device has an IOMMU group (intel-iommu covers PCI only)" 0 "$grouped"
check "vfioctl status (everything)" vjson /tmp/all.json status
json_vars /tmp/all.json listed='[.devices[] | select(.bus == "platform")] | length' \
    pci='[.devices[] | select(.bus == "pci")] | length'
check_eq "vfioctl: no platform device listed, none could go to vfio" 0 "$listed"
check_eq "vfioctl: every PCI device listed" "$(ls /sys/bus/pci/devices | wc -l)" "$pci"

section "explain: an ACPI device, and a kernel without vfio-platform"
FWCFG=QEMU0002:00
check_exists "kernel: $FWCFG has an ACPI companion" "$P/$FWCFG/firmware_node/hid"
check_fails "kernel: this kernel has no vfio_platform module (modinfo)" modinfo vfio_platform
check "vfioctl explain platform/$FWCFG" vjson /tmp/fwcfg.json explain platform/$FWCFG
json_vars /tmp/fwcfg.json hid='.acpi_hid' chosen='.chosen' \
    reason='.candidates[] | select(.module == "vfio_platform") | .excluded' notes='.notes | join(" | ")'
check_eq "vfioctl: the ACPI hardware ID" "$(read_attr "$P/$FWCFG/firmware_node/hid")" "$hid"
check_eq "vfioctl: no vfio driver chosen" null "$chosen"
check "vfioctl: the reason names the missing kernel option" grep -q "CONFIG_VFIO_PLATFORM" <<<"$reason"
check "vfioctl: the reset note is ACPI's _RST, not a helper" grep -q "_RST method" <<<"$notes"
check "vfioctl explain platform/serial8250" vjson /tmp/serial.json explain platform/serial8250
json_vars /tmp/serial.json hid='.acpi_hid'
check_eq "vfioctl: serial8250 has no ACPI companion" null "$hid"
check_absent "kernel: nor does sysfs show one" "$P/serial8250/firmware_node"

section "bind: refused or bad input, nothing touched"
expect_rc "vfioctl bind platform/serial8250" 3 vfioctl bind platform/serial8250
check_output "the refusal says why" "has no IOMMU group"
check_output "and what vfio-platform would need" "CONFIG_VFIO_PLATFORM"
expect_rc "a platform device that is not there" 2 vfioctl bind platform/no-such-device
check_output "the missing device is named with its bus" "platform/no-such-device"
expect_rc "a name with a path in it" 2 vfioctl bind platform/../../../tmp/x
expect_rc "a bus this host does not have" 2 vfioctl bind css/0.0.0000
expect_rc "a bus vfio has no driver for" 2 vfioctl bind usb/1-1
check_unchanged "kernel: no platform device changed" "$boot_state" platform
check_unchanged "kernel: no PCI device changed" "$pci_state"
check_absent "no journal left" /run/vfioctl/journal.json

section "release: a device pinned to vfio-platform by its override goes back"
check_eq "kernel: pcspkr starts unbound" none "$(plat_driver pcspkr)"
check_absent "kernel: pcspkr's module not loaded" /sys/module/pcspkr
check_eq "kmod: platform:pcspkr resolves to pcspkr" pcspkr "$(modprobe -R "$(cat $P/pcspkr/modalias)")"
wr vfio-platform "$P/pcspkr/driver_override"
echo pcspkr >/sys/bus/platform/drivers_probe
check_eq "kernel: the override keeps it unbound" none "$(plat_driver pcspkr)"
check "vfioctl status shows the override" vjson /tmp/pin.json status platform/pcspkr
json_vars /tmp/pin.json ov='.devices[0].driver_override'
check_eq "vfioctl: override" vfio-platform "$ov"
vfioctl --json doctor >/tmp/doctor.json 2>/dev/null || true
json_vars /tmp/doctor.json stranded='.findings[] | select(.check == "stranded") | .details | join(" | ")'
check_eq "vfioctl doctor: pcspkr is stranded" "platform/pcspkr: unbound, driver_override=vfio-platform" "$stranded"
pinned=$(bus_snapshot platform)
expect_rc "vfioctl release platform/pcspkr (override vfioctl did not set)" 3 vfioctl release platform/pcspkr
check_output "the refusal names the override" "driver_override=vfio-platform"
check_unchanged "kernel: the refused release changed nothing" "$pinned" platform
check "vfioctl release --force platform/pcspkr" vfioctl release --force platform/pcspkr
check_exists "kernel: pcspkr loaded from the device's modalias" /sys/module/pcspkr
check_eq "kernel: pcspkr bound" pcspkr "$(plat_driver pcspkr)"
check_eq "kernel: override cleared" "(null)" "$(plat_override pcspkr)"

# The ACPI device: its modalias is acpi:QEMU0002:, and the module kmod finds for it registers a
# driver whose name is not the module's.
fw_module=$(modprobe -R "$(cat $P/$FWCFG/modalias)")
check_eq "kmod: $FWCFG's modalias resolves to qemu_fw_cfg" qemu_fw_cfg "$fw_module"
wr vfio-platform "$P/$FWCFG/driver_override"
check "vfioctl release --force platform/$FWCFG" vfioctl release --force platform/$FWCFG
fw_driver=$(link_name /sys/module/qemu_fw_cfg/drivers/platform:*)
check_ne "kernel: qemu_fw_cfg registered a platform driver" none "$fw_driver"
check_eq "kernel: $FWCFG bound to it" "$fw_driver" "$(plat_driver $FWCFG)"
check_eq "kernel: override cleared" "(null)" "$(plat_override $FWCFG)"

# On its host driver already: only the override goes.
check_eq "kernel: reg-dummy on its driver" reg-dummy "$(plat_driver reg-dummy)"
wr vfio-platform "$P/reg-dummy/driver_override"
check "vfioctl release --force platform/reg-dummy" vjson /tmp/dummy.json release --force platform/reg-dummy
json_vars /tmp/dummy.json message='.devices[0].message'
check "vfioctl: only the override was cleared" grep -q "stays on reg-dummy" <<<"$message"
check_eq "kernel: reg-dummy still on its driver" reg-dummy "$(plat_driver reg-dummy)"
check_eq "kernel: override cleared" "(null)" "$(plat_override reg-dummy)"
check_unchanged "kernel: no PCI device changed" "$pci_state"
check_absent "no journal left" /run/vfioctl/journal.json
finish
