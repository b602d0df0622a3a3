#!/usr/bin/env python3
"""Writes the seed corpora in this folder from real data. Run once by hand; the fuzz tests
only read the result. Sources (see README.md in this folder):
  - tests/data/kernels/amd64-7.2.13+deb14-amd64/: modules.alias.gz, modules.builtin.modinfo,
    vfio-aliases.txt (Debian kernel packages run through kmod's depmod; /work/shared/fixtures)
  - tests/data/sysfs/host-virtio.json: a real PCI sysfs snapshot (modalias, addresses)
  - the vfio variant aliases the peer benchmark generator writes into its fake modules.alias
    (copied from real kernels' drivers/vfio/pci/*: mlx5, hisi_acc, nvgrace_gpu, pds, virtio)
The byte layout follows FuzzedDataProvider: integers and bools come off the END of an
input, strings off the front (ConsumeRandomLengthString ends a string at a backslash
followed by any other character)."""
import gzip
import json
import pathlib
import random
import re
import struct

HERE = pathlib.Path(__file__).resolve().parent
DATA = HERE.parents[1] / "data"
KERNEL = DATA / "kernels" / "amd64-7.2.13+deb14-amd64"
rng = random.Random(20261122)  # fixed: the corpus is reproducible

VARIANT_ALIASES = """\
alias vfio_pci:v000019E5d0000A256sv*sd*bc*sc*i* hisi_acc_vfio_pci
alias vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i* mlx5_vfio_pci
alias vfio_pci:v000010DEd00002342sv*sd*bc*sc*i* nvgrace_gpu_vfio_pci
alias vfio_pci:v00001DD8d00001003sv*sd*bc*sc*i* pds_vfio_pci
alias vfio_pci:v*d*sv*sd*bc*sc*i* vfio_pci
alias vfio_pci:v00001AF4d00001041sv*sd*bc*sc*i* virtio_vfio_pci
"""

MODPROBE_D = """\
# /etc/modprobe.d/vfio.conf as an admin writes it
options vfio-pci ids=10de:2330,15b3:101e disable_vga=1
softdep nvme pre: vfio-pci
blacklist nouveau
alias\tvfio_pci:v000010DEd00002330sv*sd*bc*sc*i*\tvfio_pci
alias vfio_pci:v00008086d00000A54sv*sd*bc01sc08i02* vfio_pci
alias  pci:v000015B3d0000101Esv*sd*bc*sc*i*   mlx5_core   
alias missing_module_field
alias a b c
install vfio_pci /bin/true
"""


def write(target, name, data):
    folder = HERE / target
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(data)


def alias_lines():
    text = gzip.decompress((KERNEL / "modules.alias.gz").read_bytes()).decode()
    lines = text.splitlines()
    return lines


def modinfo_records():
    raw = (KERNEL / "modules.builtin.modinfo").read_bytes()
    return [r for r in raw.split(b"\0") if r]


def sysfs_devices():
    snap = json.loads((DATA / "sysfs" / "host-virtio.json").read_text())
    text = json.dumps(snap)
    modaliases = sorted(set(re.findall(r'"(pci:v[0-9A-F]{8}d[0-9A-F]{8}sv[0-9A-F]{8}sd[0-9A-F]{8}bc[0-9A-F]{2}sc[0-9A-F]{2}i[0-9A-F]{2})"', text)))
    addresses = sorted(set(re.findall(r'"([0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7])"', text)))
    return modaliases, addresses


def main():
    lines = alias_lines()
    by_bus = {}
    for line in lines:
        bus = line.split()[1].split(":")[0] if len(line.split()) > 1 else ""
        by_bus.setdefault(bus, []).append(line)
    sample = []
    for bus in sorted(by_bus):
        sample += by_bus[bus][:2]
    real_vfio = [l for l in lines if l.startswith("alias vfio_")]
    pci = [l for l in lines if l.startswith("alias pci:")]

    # fuzz_alias_lines: text + one selector byte (0 "vfio_", 1 "", 2 "vfio_pci:").
    sel = lambda i: bytes([i])
    write("fuzz_alias_lines", "modules-alias-mixed", ("\n".join(lines[:1] + sample[:60] + real_vfio) + "\n").encode() + sel(0))
    write("fuzz_alias_lines", "modules-alias-pci", ("\n".join(rng.sample(pci, 40)) + "\n").encode() + sel(1))
    write("fuzz_alias_lines", "vfio-variants", VARIANT_ALIASES.encode() + sel(2))
    write("fuzz_alias_lines", "modprobe-d", MODPROBE_D.encode() + sel(0))
    write("fuzz_alias_lines", "no-final-newline", b"alias vfio_pci:v*d*sv*sd*bc*sc*i* vfio_pci" + sel(0))
    write("fuzz_alias_lines", "builtin-alias-dump",
          (KERNEL / "modules.builtin.alias").read_bytes()[:3000].rsplit(b"\n", 1)[0] + b"\n" + sel(1))

    # fuzz_builtin_modinfo: NUL-separated records + selector byte (0 "vfio_", 1 "").
    recs = modinfo_records()
    aliases = [r for r in recs if b".alias=" in r]
    others = [r for r in recs if b".alias=" not in r]
    write("fuzz_builtin_modinfo", "modinfo-aliases", b"\0".join(aliases[:50]) + b"\0" + sel(1))
    write("fuzz_builtin_modinfo", "modinfo-mixed", b"\0".join(others[:30] + aliases[50:70]) + b"\0" + sel(1))
    vfio_records = b"\0".join(l.split()[2].encode() + b".alias=" + l.split()[1].encode()
                              for l in VARIANT_ALIASES.splitlines())
    write("fuzz_builtin_modinfo", "vfio-records", vfio_records + b"\0\0x.alias=\0.alias=vfio_y\0" + sel(0))

    modaliases, addresses = sysfs_devices()
    fake = ["pci:v000015B3d0000101Esv000015B3sd00000000bc02sc00i00",  # ConnectX-6 Dx VF
            "pci:v00008086d00002030sv00008086sd00000000bc06sc04i00",  # root port
            "pci:v0000144Dd0000A824sv0000144Dsd0000A801bc01sc08i02"]  # NVMe
    # fuzz_pci_modalias: modalias text + 12 bytes of identity (taken off the end).
    for i, m in enumerate(modaliases + fake):
        write("fuzz_pci_modalias", f"modalias-{i}", m.encode() + struct.pack("<HHHHI", 0x15B3, 0x101E, 0x15B3, 0, 0x020000))
    write("fuzz_pci_modalias", "lower-case", fake[0].lower().replace("pci:", "pci:").encode() + bytes(12))

    # fuzz_pci_address: the text alone.
    for i, a in enumerate(addresses[:6] + ["0001:c3:1f.7", "3b:00.1", "10000:e1:00.0", "0000:01:20.0"]):
        write("fuzz_pci_address", f"address-{i}", a.encode())

    # fuzz_alias_specificity: pattern + one bool byte (even: arbitrary-pattern mode).
    bodies = [l.split()[1].split(":", 1)[1] for l in (VARIANT_ALIASES.splitlines() + rng.sample(pci, 8))]
    bodies += ["v00008086d00000A54sv*sd*bc01sc08i02*", "v0000[01]*d*", "v*d*sv*sd*bc*sc*i*"]
    for i, b in enumerate(bodies):
        write("fuzz_alias_specificity", f"pattern-{i}", b.encode() + b"\0")

    # fuzz_alias_matches: pattern, "\x" separator, key, one bool byte (even: glob mode).
    for i, line in enumerate(VARIANT_ALIASES.splitlines()):
        pattern = line.split()[1]
        key = "vfio_" + (fake + modaliases)[i % (len(fake) + len(modaliases))]
        write("fuzz_alias_matches", f"alias-key-{i}", pattern.encode() + b"\\x" + key.encode() + b"\0")


if __name__ == "__main__":
    main()
