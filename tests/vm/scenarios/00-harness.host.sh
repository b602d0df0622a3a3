# Host side of 00-harness.sh: in the second boot, when the guest asks, unplug nic1 (machine.sh).
[ "$VM_BOOT" = 2 ] || exit 0
python3 "$VM_DIR/qmp.py" --wait-console 'VM-HOST: unplug nic1' device_del '{"id": "nic1"}'
