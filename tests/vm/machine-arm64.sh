# The emulated arm64 machine (sourced by run-vm.sh for an arm64 kernel): QEMU's "virt" board with
# an SMMUv3, booted from a device tree that run-vm.sh derives from QEMU's own (vm_machine_dtb).
# guest/lib.sh names the same devices (RTC_AMBA, GPIO_AMBA, XGMAC_DT, TESTNIC_DT); change both
# together.
#
#   amba 9000000.pl011   the console (ttyAMA0)
#   amba 9010000.pl031   PL031 RTC, host driver rtc-pl031; "iommus" added: its own IOMMU group
#   amba 9030000.pl061   PL061 GPIO, host driver pl061_gpio; no "iommus": no IOMMU group
#   platform c100000.vfioctl-xgmac  compatible "calxeda,hb-xgmac": vfio-platform's calxeda reset
#                                   helper applies, and vfio-platform finds it (first string)
#   platform c110000.vfioctl-nic    compatible "vfioctl,test-nic", "calxeda,hb-xgmac": a helper
#                                   exists for the second string only, which vfio-platform does
#                                   not look at
#   platform 9020000.fw-cfg          QEMU's fw_cfg (no host driver in this kernel), no "iommus"
#   platform c120000.vfioctl-cdx    compatible "vfioctl,test-cdx-controller": the stand-in CDX
#                                   controller (tests/vm/cdx, loaded by scenario 99) makes bus
#                                   cdx-00 and functions cdx-00:00 and cdx-00:01 under it; its
#                                   "iommu-map" gives function N stream ff10+N, a 1:1
#                                   "dma-ranges", and no "msi-map"
#   platform c130000.vfioctl-cdx    the same controller (cdx-10, functions cdx-10:00 and
#                                   cdx-10:01, streams ff20+N) without "dma-ranges": the kernel
#                                   gives its functions no IOMMU (see scenario 99)
# The two test nodes have no host driver and no device behind their registers (a window of the
# board's unused platform-bus range); nothing reads or writes them, because a scenario binds them
# but never opens them (vfio-platform resets a device, through its registers, on open).
#
# QEMU's SMMUv3 translates PCI requesters only. The kernel still gives every device whose node
# names it in "iommus" a stream table entry and an IOMMU group (of_iommu_configure,
# arm_smmu_probe_device); the devices here do no DMA, so the entry is never looked up. That makes
# the groups real kernel groups of a real IOMMU driver, which is what vfioctl and VFIO check.
vm_machine_args=(
    -machine virt,iommu=smmuv3 -m 1G -smp 1
)
vm_qemu=qemu-system-aarch64
vm_console=ttyAMA0
# "max" brings pointer authentication, whose emulation costs TCG much time; a Cortex-A57 is all the
# guest needs (the SMMU is the board's, not the CPU's).
vm_tcg_cpu=cortex-a57
# run-vm.sh edits the device tree with these.
vm_host_tools=(fdtput fdtget)

# vm_machine_dtb OUT: QEMU's device tree for vm_machine_args, with the changes above.
vm_machine_dtb() {
    local dtb=$1 smmu
    "$vm_qemu" "${vm_machine_args[@]}" -cpu max -nodefaults -nographic -machine "dumpdtb=$dtb" >/dev/null 2>&1 ||
        vm_die "QEMU did not write the virt machine's device tree"
    smmu=$(fdtget -t x "$dtb" /smmuv3@9050000 phandle) || vm_die "no SMMUv3 in QEMU's device tree"
    # Stream IDs at the top of the range: QEMU's PCIe root complex maps requester IDs 1:1 onto
    # stream IDs, and no bus 0xff exists here.
    fdtput -t x "$dtb" /pl031@9010000 iommus "$smmu" ff00
    add_node() {  # NAME@ADDR STREAM COMPATIBLE...
        local node=/$1 sid=$2 addr=${1#*@}
        shift 2
        fdtput -c "$dtb" "$node"
        fdtput -t s "$dtb" "$node" compatible "$@"
        fdtput -t x "$dtb" "$node" reg 0 "$addr" 0 10000
        fdtput -t x "$dtb" "$node" iommus "$smmu" "$sid"
    }
    add_node vfioctl-xgmac@c100000 ff01 calxeda,hb-xgmac
    add_node vfioctl-nic@c110000 ff02 vfioctl,test-nic calxeda,hb-xgmac
    # iommu-map = <requester-ID base, IOMMU, stream base, length>, as the real controller's
    # binding has it (Documentation/devicetree/bindings/bus/xlnx,versal-net-cdx.yaml). The kernel
    # reads it only below a non-empty dma-ranges (cdx_dma_configure -> of_dma_configure_id without
    # force_dma returns at of_dma_get_range's -ENODEV): <bus 0, CPU 0, 1 TiB>, root's 2+2+2 cells.
    add_cdx_controller() {  # NODE STREAM-BASE [dma-ranges]
        fdtput -c "$dtb" "$1"
        fdtput -t s "$dtb" "$1" compatible vfioctl,test-cdx-controller
        fdtput -t x "$dtb" "$1" reg 0 "${1#*@}" 0 1000
        fdtput -t x "$dtb" "$1" iommu-map 0 "$smmu" "$2" 4
        [ -z "${3:-}" ] || fdtput -t x "$dtb" "$1" dma-ranges 0 0 0 0 100 0
    }
    # fdtput -c puts a new node ahead of its siblings, and the controllers take ids (cdx-N0) in
    # the order they probe, which is tree order: the one added last is controller 0.
    add_cdx_controller /vfioctl-cdx@c130000 ff20
    add_cdx_controller /vfioctl-cdx@c120000 ff10 dma-ranges
}
