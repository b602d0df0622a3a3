#!/bin/bash
# vfioctl apply against the real kernel, across a reboot: a configuration with a bad line is
# rejected (exit 2, FILE:LINE named) before sysfs is touched; --dry-run shows the plan and changes
# nothing; apply puts NIC1 on vfio-pci, gives the SR-IOV PF two VFs and puts VF 0 on the VF-only
# variant (all checked in sysfs), and a second run has nothing to do. The configuration in /etc
# survives the reboot while the bindings and /run/vfioctl do not, and the same apply brings the
# same end state back; release and a [[pf]] rule with num_vfs = 0 then undo it all.
# vm-boots: 2
# vm-timeout: 240
. /vmtest/lib.sh

conf=/etc/vfioctl/vfioctl.toml
numvfs=$(pci_dir $NVME_PF)/sriov_numvfs

# write_config: the configuration both boots apply. Its line numbers are checked below: rule 1
# ([[device]] for NIC1) starts on line 2, the [[pf]] rule on line 6, the VF rule on line 10.
write_config() {
    mkdir -p /etc/vfioctl
    cat >$conf <<CONF
# 70-apply.sh
[[device]]
address = "$NIC1"
driver = "generic"

[[pf]]
address = "$NVME_PF"
num_vfs = 2

[[device]]
pf = "$NVME_PF"
vfs = [0]
CONF
}

# check_host_vf WHAT VF: the VF is on the host side. nvme probes every new VF (autoprobe) and
# gives up on it ("Device not ready; aborting initialisation": QEMU's VFs stay offline until the
# PF assigns them queues). 6.12 probes synchronously and the VF ends unbound; 6.1's probe
# succeeds and a worker unbinds the dead controller later, so it can still be on nvme.
check_host_vf() {
    local driver
    driver=$(pci_driver "$2")
    check "kernel: $1 is unbound or on nvme, not on vfio (on '$driver')" test "$driver" = none -o "$driver" = nvme
    check_eq "kernel: $1 has no override" "(null)" "$(pci_override "$2")"
}

# settle_host_vf VF: wait (at most 10 s) for nvme's reset worker to give up on a VF it probed.
# On 6.1 nvme's probe returns before the controller is tried, and the worker unbinds the dead
# VF later, so a snapshot taken right after apply could see the kernel finish that on its own.
settle_host_vf() {
    local i
    for ((i = 0; i < 100; i++)); do
        [ "$(pci_driver "$1")" = nvme ] || return 0
        sleep 0.1
    done
    info "$1 still on nvme after 10 s"
}

# check_applied: the end state of the configuration, as the kernel sees it.
check_applied() {
    check_eq "kernel: $NIC1 on vfio-pci" vfio-pci "$(pci_driver $NIC1)"
    check_eq "kernel: $NIC1's driver_override" vfio-pci "$(pci_override $NIC1)"
    check_exists "kernel: $NIC1's group node" "/dev/vfio/$(pci_group $NIC1)"
    check_eq "kernel: $NVME_PF has 2 VFs (sriov_numvfs)" 2 "$(read_attr "$numvfs")"
    check_exists "kernel: VF 0 ($NVME_VF1) exists" "$(pci_dir $NVME_VF1)"
    check_exists "kernel: VF 1 ($NVME_VF2) exists" "$(pci_dir $NVME_VF2)"
    check_eq "kernel: VF 0 on the VF variant" "$VF_VARIANT_DRIVER" "$(pci_driver $NVME_VF1)"
    check_eq "kernel: VF 0's driver_override" "$VF_VARIANT_DRIVER" "$(pci_override $NVME_VF1)"
    # No rule names VF 1: apply creates the VFs with sriov_drivers_autoprobe off and then probes
    # the ones no rule names, so VF 1 is wherever nvme's probe left it, never on vfio and
    # without an override.
    check_host_vf "VF 1 ($NVME_VF2), which no rule names," $NVME_VF2
    check_eq "kernel: the PF stays on nvme" nvme "$(pci_driver $NVME_PF)"
    check_eq "kernel: $NIC0 (no rule) still on e1000e" e1000e "$(pci_driver $NIC0)"
    check_eq "kernel: $NIC0 has no override" "(null)" "$(pci_override $NIC0)"
    check_eq "kernel: $NVME (no rule) still on nvme" nvme "$(pci_driver $NVME)"
    check_absent "no journal left" /run/vfioctl/journal.json
}

# apply_again: a second run on the applied configuration, in text and JSON.
apply_again() {
    local applied
    settle_host_vf $NVME_VF2
    applied=$(pci_snapshot)
    expect_rc "vfioctl apply (again)" 0 vfioctl apply
    indent </tmp/rc.out
    check_output "it says there is nothing to do" "nothing to do: 3 rules, every selected device is as configured"
    check_unchanged "kernel: no binding, override or VF changed" "$applied"
    check_eq "kernel: still 2 VFs" 2 "$(read_attr "$numvfs")"
    check "vfioctl --json apply --dry-run" vjson /tmp/again.json apply --dry-run
    json_vars /tmp/again.json result=.result dry=.dry_run changes='.changes | length' \
        unchanged='.unchanged[].device' problems='.problems | length'
    check_eq "JSON: result" planned "$result"
    check_eq "JSON: a dry run" true "$dry"
    check_eq "JSON: no changes" 0 "$changes"
    check_eq "JSON: the devices already as configured" "$NIC1 $NVME_VF1" "$unchanged"
    check_eq "JSON: no problems" 0 "$problems"
    check_unchanged "kernel: the dry run changed nothing" "$applied"
}

boot_state=$(pci_snapshot)
# The snapshot compares something: it lists $NIC1 with its driver and unset override.
check_eq "pci_snapshot sees $NIC1" "$NIC1 e1000e (null)" "$(grep "^$NIC1 " <<<"$boot_state")"

if [ "$VM_BOOT" = 1 ]; then
    section "boot 1: a configuration with a bad line is rejected, nothing touched"
    mkdir -p /etc/vfioctl
    # An unknown key in a known [[device]] rule, on line 4.
    cat >$conf <<CONF
[[device]]
address = "$NIC1"
driver = "generic"
drvier = "generic"
CONF
    expect_rc "unknown key: vfioctl apply" 2 vfioctl apply
    indent </tmp/rc.out
    check_output "the file, line and column are named" "$conf:4:1: unknown key 'drvier' in [[device]]"
    check_unchanged "kernel: no binding or override changed" "$boot_state"
    # A bad address, in a drop-in beside a valid main file: the whole configuration is rejected.
    write_config
    mkdir -p /etc/vfioctl/vfioctl.d
    cat >/etc/vfioctl/vfioctl.d/50-bad.toml <<CONF
# a drop-in
[[device]]
address = "0000:01:00"
CONF
    expect_rc "bad address in a drop-in: vfioctl apply" 2 vfioctl apply
    indent </tmp/rc.out
    check_output "the drop-in's line is named" "/etc/vfioctl/vfioctl.d/50-bad.toml:3:"
    check_output "the message says what is wrong" "'0000:01:00' is not a PCI address"
    expect_rc "the same with --dry-run" 2 vfioctl apply --dry-run
    check_output "the drop-in's line is named" "/etc/vfioctl/vfioctl.d/50-bad.toml:3:"
    check_unchanged "kernel: no binding or override changed (the valid main file was not applied)" "$boot_state"
    check_eq "kernel: $NVME_PF still has no VFs" 0 "$(read_attr "$numvfs")"
    check_absent "kernel: vfio_pci not loaded" /sys/module/vfio_pci
    check_absent "no journal left" /run/vfioctl/journal.json
    rm /etc/vfioctl/vfioctl.d/50-bad.toml

    section "boot 1: apply --dry-run shows the plan, changes nothing"
    expect_rc "vfioctl apply --dry-run" 0 vfioctl apply --dry-run
    indent </tmp/rc.out
    check_output "plan: $NIC1 from e1000e to vfio_pci, by the rule on line 2" "e1000e → vfio_pci"
    check "plan: $NIC1's line names its rule" grep -qE "^$NIC1 .*e1000e → vfio_pci +$conf:2\$" /tmp/rc.out
    check "plan: the PF's VF count, by the rule on line 6" grep -qE "^$NVME_PF .*sriov_numvfs 0 → 2 +$conf:6\$" /tmp/rc.out
    check "plan: VF 0, by the rule on line 10" grep -qE "^VF 0 of $NVME_PF .*→ auto +$conf:10\$" /tmp/rc.out
    check_fails "plan: nothing about VF 1" grep -q "VF 1 of" /tmp/rc.out
    check_fails "plan: nothing about $NIC0" grep -q "$NIC0" /tmp/rc.out
    check_unchanged "kernel: no binding or override changed" "$boot_state"
    check_eq "kernel: $NVME_PF still has no VFs" 0 "$(read_attr "$numvfs")"
    check_absent "kernel: the dry run loaded no vfio_pci" /sys/module/vfio_pci
    check_absent "no journal left" /run/vfioctl/journal.json

    section "boot 1: autoload policy on Debian's real module tree"
    # Every vfio module here (the kernel's and the test variants) has only override-only
    # vfio_pci: aliases, or vfio's node aliases: nothing autoloads for hardware, nothing to block.
    check "vfioctl --json policy" vjson /tmp/policy.json policy
    json_vars /tmp/policy.json blocked='.blocked | length' \
        core_nodes='[.modules[] | select(.module == "vfio") | .node_aliases[]] | join(" ")' \
        variant='[.modules[] | select(.module == "'$VARIANT_MODULE'") | .decision] | join(" ")' \
        device_aliases='[.modules[].device_aliases[]] | length'
    check_eq "policy: nothing blocked" 0 "$blocked"
    check_eq "policy: vfio loads when its node is opened" "devname:vfio/vfio char-major-10-196" "$core_nodes"
    check_eq "policy: the variant does not autoload" no-device-autoload "$variant"
    check_eq "policy: no vfio module has an alias a uevent carries" 0 "$device_aliases"
    expect_rc "vfioctl policy --write" 0 vfioctl policy --write
    check_output "policy: says there is nothing to block" "nothing to block"
    check_absent "policy: no modprobe.d file written" /etc/modprobe.d/vfioctl-autoload.conf
    check_unchanged "kernel: policy changed nothing" "$boot_state"

    section "boot 1: vfioctl apply"
    expect_rc "vfioctl apply" 0 vfioctl apply
    indent </tmp/rc.out
    check_applied
    check_exists "kernel: vfioctl loaded the VF variant" /sys/module/$VF_VARIANT_MODULE
    check_exists "the binding of $NIC1 is recorded as vfioctl's" /run/vfioctl/bound/pci/$NIC1.json
    check_exists "the binding of VF 0 is recorded as vfioctl's" /run/vfioctl/bound/pci/$NVME_VF1.json
    # Autoprobe was off while the VFs appeared: VF 0 went from no driver straight to vfio, nvme
    # never had it (no probe to race), and autoprobe is on again.
    json_vars /run/vfioctl/bound/pci/$NVME_VF1.json vf0_original='.original.driver'
    check_eq "VF 0's recorded original driver: none (nvme never probed it)" null "$vf0_original"
    check_eq "kernel: $NVME_PF's sriov_drivers_autoprobe back to 1" 1 "$(read_attr "$(pci_dir $NVME_PF)/sriov_drivers_autoprobe")"
    check "a VFIO client opens $NIC1" vfio-client $NIC1
    check "a VFIO client opens VF 0" vfio-client $NVME_VF1

    section "boot 1: a second apply has nothing to do"
    apply_again

    # The configuration is on disk and survives; /run is a tmpfs, on a real host as here.
    persist /etc/vfioctl
else
    section "boot 2: after the reboot, the devices are back on their host drivers"
    check_eq "the configuration survived the reboot" "address = \"$NIC1\"" "$(sed -n 3p $conf 2>&1)"
    check_eq "kernel: $NIC1 on e1000e" e1000e "$(pci_driver $NIC1)"
    check_eq "kernel: $NIC1 has no override" "(null)" "$(pci_override $NIC1)"
    check_eq "kernel: $NVME_PF has no VFs" 0 "$(read_attr "$numvfs")"
    check_absent "kernel: no VF 0" "$(pci_dir $NVME_VF1)"
    check_absent "vfioctl's records did not survive (/run)" /run/vfioctl

    section "boot 2: vfioctl apply brings the same end state back"
    expect_rc "vfioctl apply" 0 vfioctl apply
    indent </tmp/rc.out
    check_output "it lists $NIC1's change" "e1000e → vfio_pci"
    check_applied
    check "a VFIO client opens $NIC1" vfio-client $NIC1

    section "boot 2: a second apply has nothing to do"
    apply_again

    section "boot 2: an empty configuration is nothing to do; apply never releases"
    applied=$(pci_snapshot)
    : >$conf
    expect_rc "vfioctl apply (empty configuration)" 0 vfioctl apply
    check_output "it says there is nothing to do" "nothing to do: 0 rules"
    check_unchanged "kernel: the devices stay where apply put them" "$applied"

    section "boot 2: release, then a [[pf]] rule with num_vfs = 0"
    vf0_group=$(pci_group $NVME_VF1)
    expect_rc "vfioctl release $NIC1 $NVME_VF1" 0 vfioctl release $NIC1 $NVME_VF1
    indent </tmp/rc.out
    check_eq "kernel: $NIC1 back on e1000e" e1000e "$(pci_driver $NIC1)"
    check_eq "kernel: $NIC1's override cleared" "(null)" "$(pci_override $NIC1)"
    check_absent "kernel: $NIC1's group node removed" "/dev/vfio/$(pci_group $NIC1)"
    # VF 0 goes back to the host side: released from vfio, nvme may probe it (see check_host_vf).
    check_host_vf "VF 0 ($NVME_VF1), released," $NVME_VF1
    check_absent "kernel: VF 0's group node removed" "/dev/vfio/$vf0_group"
    check_absent "$NIC1's record is gone" /run/vfioctl/bound/pci/$NIC1.json
    check_absent "VF 0's record is gone" /run/vfioctl/bound/pci/$NVME_VF1.json
    printf '[[pf]]\naddress = "%s"\nnum_vfs = 0\n' "$NVME_PF" >$conf
    expect_rc "vfioctl apply (num_vfs = 0)" 0 vfioctl apply
    indent </tmp/rc.out
    check_output "it lists the VF count change" "sriov_numvfs 2 → 0"
    check_eq "kernel: $NVME_PF has no VFs" 0 "$(read_attr "$numvfs")"
    check_unchanged "kernel: every device where it booted" "$boot_state"
fi
finish
