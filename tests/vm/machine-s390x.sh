# The emulated s390x machine (sourced by run-vm.sh for an s390x kernel): QEMU's s390-ccw-virtio,
# whose channel subsystem carries virtio-ccw devices on I/O subchannels, the devices vfio_ccw
# takes. guest/lib.sh names the same subchannels (CCW_RNG, CCW_BALLOON); change both together.
#
#   subchannel 0.0.0000  device 0.0.0001  virtio-rng-ccw       the device the scenario binds
#   subchannel 0.0.0001  device 0.0.0002  virtio-balloon-ccw   stays with the host throughout
# QEMU numbers subchannels in the order of -device; the guest sees QEMU's virtual channel
# subsystem fe as cssid 0 (no MCSS-E), so devno fe.0.0001 is the guest's 0.0.0001. Neither device
# has a driver in the guest kernel past virtio_ccw, which is all io_subchannel needs to hand on.
# The console is the SCLP VT220 line that QEMU makes of -serial (ttysclp0).
vm_machine_args=(
    -machine s390-ccw-virtio -m 512M -smp 1
    -device virtio-rng-ccw,devno=fe.0.0001
    -device virtio-balloon-ccw,devno=fe.0.0002
)
vm_qemu=qemu-system-s390x
vm_console=ttysclp0
# TCG's own CPU model: "max" would add facilities QEMU's TCG cannot emulate, with a warning each.
vm_tcg_cpu=qemu
