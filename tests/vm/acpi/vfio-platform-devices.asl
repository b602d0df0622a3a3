/*
 * Two ACPI devices for the vfio-platform scenario (scenarios/95-vfio-platform.sh), added to the
 * test guest's ACPI tables with QEMU's -acpitable ("# vm-ssdt: vfio-platform-devices.asl").
 * Linux makes a platform device of each (acpi_create_platform_device), VFCT0001:00 and
 * VFCT0002:00, and no host driver takes them. They have no hardware behind them and no
 * resources: vfio-platform needs neither to bind and open a device.
 *   VFCT0001  has a _RST method, so vfio-platform finds a reset (vfio_platform_acpi_has_reset)
 *             and binds it with its default reset_required=1, and calls _RST when a user opens
 *             and closes the device (vfio_platform_call_reset). QEMU's own devices have no _RST.
 *   VFCT0002  has none: vfio-platform's probe refuses it ("No reset function found").
 */
DefinitionBlock ("", "SSDT", 2, "VFIOCT", "VFPLAT", 1)
{
    Scope (\_SB)
    {
        Device (VFR1)
        {
            Name (_HID, "VFCT0001")
            Name (_UID, Zero)
            Name (RSTN, Zero)
            Method (_STA, 0, NotSerialized)
            {
                Return (0x0F)
            }
            Method (_RST, 0, Serialized)
            {
                RSTN++
            }
        }
        Device (VFR2)
        {
            Name (_HID, "VFCT0002")
            Name (_UID, Zero)
            Method (_STA, 0, NotSerialized)
            {
                Return (0x0F)
            }
        }
    }
}
