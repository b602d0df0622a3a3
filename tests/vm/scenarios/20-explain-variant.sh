#!/bin/bash
# vfioctl explain against the kernel's module tree: the test variant drivers (tests/vm/variants,
# listed by depmod as vfio_pci: aliases) rank first for the devices they match, the module ->
# driver name mismatch shows once the module is loaded (read back from /sys/module), and the
# candidate list agrees with kmod's own answer, `modprobe -R vfio_<modalias>`.
# vm-timeout: 180
. /vmtest/lib.sh

# explain BDF: vfioctl --json explain, its fields in shell variables (one jq run).
explain() {
    rm -f /tmp/explain.json
    vjson /tmp/explain.json explain "$1" || fail "vfioctl explain $1 failed"
    json_vars /tmp/explain.json \
        key=.key \
        chosen=.chosen \
        chosen_module=.chosen.module \
        chosen_driver=.chosen.driver \
        chosen_state=.chosen.state \
        rank1='.candidates[] | select(.rank == 1) | .module' \
        candidate_count='.candidates | length' \
        vfio_pci_ranks_lower='[.candidates[] | select(.module == "vfio_pci") | .rank > 1] | any' \
        kmod_resolution='.kmod_resolution | sort | join(" ")' \
        sriov='"\(.status.sriov.role) \(.status.sriov.physfn)"' \
        assignable=.status.assignable
}

# kmod's answer for the device's vfio alias key against vfioctl's kmod_resolution (last explain).
# modprobe -R lists every match (vfio_pci too), not only the best: ranking is vfioctl's job.
check_kmod_agrees() {  # BDF
    local modalias
    read -r modalias <"$(pci_dir "$1")/modalias"
    check_eq "$1: explain key is vfio_ + the kernel's modalias" "vfio_$modalias" "$key"
    check_eq "$1: kmod_resolution equals modprobe -R vfio_<modalias>" \
        "$(modprobe -R "vfio_$modalias" | sort | tr '\n' ' ' | sed 's/ $//')" "$kmod_resolution"
}

section "the module tree (depmod's modules.alias)"
aliases=/lib/modules/$(uname -r)/modules.alias
check "depmod lists $VARIANT_MODULE as a vfio_pci: alias for 8086:10d3" \
    grep -qx "alias vfio_pci:v00008086d000010D3sv\*sd\*bc\*sc\*i\* $VARIANT_MODULE" "$aliases"
check "depmod lists $VF_VARIANT_MODULE as a vfio_pci: alias for 1b36:0010" \
    grep -qx "alias vfio_pci:v00001B36d00000010sv\*sd\*bc\*sc\*i\* $VF_VARIANT_MODULE" "$aliases"
check "depmod lists the generic vfio_pci alias" grep -qx 'alias vfio_pci:v\*d\*sv\*sd\*bc\*sc\*i\* vfio_pci' "$aliases"
check_absent "$VARIANT_MODULE is not loaded yet" /sys/module/$VARIANT_MODULE

section "e1000e ($NIC0): the name-mismatch variant ranks first"
explain $NIC0
check_eq "chosen module" "$VARIANT_MODULE" "$chosen_module"
check_eq "rank 1 candidate" "$VARIANT_MODULE" "$rank1"
check_eq "vfio_pci is a lower-ranked candidate" true "$vfio_pci_ranks_lower"
check_eq "driver name unknown before load" null "$chosen_driver"
check_eq "module state before load" available "$chosen_state"
check_kmod_agrees $NIC0

check "modprobe $VARIANT_MODULE" modprobe $VARIANT_MODULE
check_exists "kernel: module $VARIANT_MODULE registered PCI driver $VARIANT_DRIVER" \
    /sys/module/$VARIANT_MODULE/drivers/pci:$VARIANT_DRIVER
check_eq "kernel: loading the variant took no device (override-only id table)" e1000e "$(pci_driver $NIC0)"
explain $NIC0
check_eq "after load: chosen module" "$VARIANT_MODULE" "$chosen_module"
check_eq "after load: chosen driver is the registered driver name" "$VARIANT_DRIVER" "$chosen_driver"
check_eq "after load: module state" loaded "$chosen_state"
check_eq "status agrees: vfio_driver module/driver" "$VARIANT_MODULE/$VARIANT_DRIVER" \
    "$(vfioctl --json status $NIC0 | jq -r '.devices[0].vfio_driver | "\(.module)/\(.driver)"')"
# The human-readable report names both on its "Chosen:" line.
chosen_line=$(vfioctl explain $NIC0 | grep '^Chosen' || true)
info "$chosen_line"
check "text report: Chosen line shows module and driver name" \
    bash -c '[[ $1 == *"$2"*"$3"* ]]' _ "$chosen_line" "$VARIANT_MODULE" "$VARIANT_DRIVER"

section "NVMe VF: the VF-only variant ranks first"
sriov_enable $NVME_PF 2
check_exists "kernel: VF $NVME_VF1 exists" "$(pci_dir $NVME_VF1)"
check_eq "kernel: $NVME_VF1's physfn is $NVME_PF" "$NVME_PF" "$(link_name "$(pci_dir $NVME_VF1)/physfn")"
check_eq "kernel: the VF carries the PF's ID" 1b36:0010 "$(pci_id $NVME_VF1)"
explain $NVME_VF1
check_eq "VF: chosen module" "$VF_VARIANT_MODULE" "$chosen_module"
check_eq "VF: rank 1 candidate" "$VF_VARIANT_MODULE" "$rank1"
check_eq "VF: explain knows it is a VF of $NVME_PF" "vf $NVME_PF" "$sriov"
check_kmod_agrees $NVME_VF1
check "modprobe $VF_VARIANT_MODULE" modprobe $VF_VARIANT_MODULE
check_exists "kernel: this variant's driver name is its module name" \
    /sys/module/$VF_VARIANT_MODULE/drivers/pci:$VF_VARIANT_DRIVER
check_eq "kernel: the VF stays unbound" none "$(pci_driver $NVME_VF1)"
explain $NVME_VF1
check_eq "VF after load: chosen driver" "$VF_VARIANT_DRIVER" "$chosen_driver"
check_eq "VF after load: module state" loaded "$chosen_state"
sriov_disable $NVME_PF

section "devices without a variant"
explain $BR_NIC0
check_eq "e1000 ($BR_NIC0): chosen module is the generic vfio_pci" vfio_pci "$chosen_module"
check_eq "e1000: vfio_pci is the only candidate" 1 "$candidate_count"
check_kmod_agrees $BR_NIC0
explain $PCI_BRIDGE
check_eq "the pcie-pci-bridge: nothing chosen" null "$chosen"
check_eq "the pcie-pci-bridge: not assignable" false "$assignable"

finish
