# The emulated machine every scenario boots (sourced by run-vm.sh). guest/lib.sh names the same
# devices by address (NIC0, NVME_PF, BR_NIC0 ...); change both together.
#
#   00:02.0-00:06.0  pcie-root-port rp1..rp5 (one IOMMU group each, ACS)
#   01:00.0  e1000e 8086:10d3         on rp1   own group
#   02:00.0  e1000e 8086:10d3         on rp2   own group
#   03:00.0  nvme 1b36:0010           on rp3   plain controller, no namespace
#   04:00.0  nvme 1b36:0010 SR-IOV PF on rp4   2 VFs (04:00.1, 04:00.2) once sriov_numvfs is set
#   05:00.0  pcie-pci-bridge 1b36:000e on rp5  conventional PCI bus 06 behind it
#   06:01.0, 06:02.0  e1000 8086:100e behind the bridge: conventional PCI has no requester IDs of
#                     its own, so both NICs and the bridge land in ONE IOMMU group
# No netdev behind the NICs on purpose (QEMU warns "nic ... has no peer"); romfile= skips iPXE.
# The 6.1 guest logs "shpchp 0000:05:00.0: pci_hp_register failed with error -16" (EBUSY) at
# boot for the bridge's SHPC slot; harmless here, nothing in the suite uses SHPC hotplug.
vm_machine_args=(
    -machine q35,kernel-irqchip=split -m 1G -smp 1
    -device intel-iommu,intremap=on,caching-mode=on
    -device pcie-root-port,id=rp1,chassis=1,bus=pcie.0,addr=0x2
    -device pcie-root-port,id=rp2,chassis=2,bus=pcie.0,addr=0x3
    -device pcie-root-port,id=rp3,chassis=3,bus=pcie.0,addr=0x4
    -device pcie-root-port,id=rp4,chassis=4,bus=pcie.0,addr=0x5
    -device pcie-root-port,id=rp5,chassis=5,bus=pcie.0,addr=0x6
    -device e1000e,id=nic0,bus=rp1,mac=52:54:00:00:00:01,romfile=
    -device e1000e,id=nic1,bus=rp2,mac=52:54:00:00:00:02,romfile=
    -device nvme,id=nvme0,bus=rp3,serial=vfioctl-nvme0
    # QEMU 7.2's SR-IOV NVMe needs a subsystem and these resource limits:
    # sriov_vq_flexible >= 2*sriov_max_vfs, max_ioqpairs >= sriov_vq_flexible + 2,
    # sriov_vi_flexible >= sriov_max_vfs, msix_qsize >= sriov_vi_flexible + 1.
    -device nvme-subsys,id=subsys1,nqn=vfioctl-sriov
    -device nvme,id=nvme1,bus=rp4,serial=vfioctl-sriov,subsys=subsys1,sriov_max_vfs=2,sriov_vq_flexible=4,sriov_vi_flexible=2,max_ioqpairs=6,msix_qsize=3
    -device pcie-pci-bridge,id=pcibr,bus=rp5
    -device e1000,id=nic2,bus=pcibr,addr=0x1,mac=52:54:00:00:00:03,romfile=
    -device e1000,id=nic3,bus=pcibr,addr=0x2,mac=52:54:00:00:00:04,romfile=
)
vm_qemu=qemu-system-x86_64
vm_console=ttyS0
vm_tcg_cpu=max
