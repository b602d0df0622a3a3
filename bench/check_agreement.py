#!/usr/bin/env python3
"""Checks that `vfioctl status --json` agrees with driverctl on every PCI device.

driverctl list-devices prints "BDF DRIVER" or "BDF (none)", plus " [*]" when driver_override is
set; list-overrides prints "BDF DRIVER" for the overridden devices only (the bound driver, not
the override: /usr/sbin/driverctl list_devices()). So driverctl tells, per device: the driver,
and whether an override is set. With --tree, the override values themselves are read from the
tree's driver_override files as a third witness.

Usage:
  check_agreement.py RESULTS_DIR [--json NAME] [--tree DIR]
      RESULTS_DIR: a peers run.sh results folder; its outputs/ holds each command's stdout.
      --json NAME: the outputs/NAME.out that holds vfioctl's JSON (default: the first .out
                   that parses as a JSON object with "devices").
  check_agreement.py --vfioctl-json F --list-devices F --list-overrides F [--tree DIR]

Exit status: 0 when everything agrees, 1 on any mismatch, 2 on unusable input.
"""
import argparse
import json
import os
import sys


def parse_list_devices(text):
    out = {}
    for n, line in enumerate(text.splitlines(), 1):
        words = line.split()
        if not words:
            continue
        if len(words) not in (2, 3) or (len(words) == 3 and words[2] != "[*]"):
            raise ValueError(f"list-devices line {n}: unexpected {line!r}")
        driver = None if words[1] == "(none)" else words[1]
        out[words[0]] = (driver, len(words) == 3)
    return out


def parse_list_overrides(text):
    out = {}
    for n, line in enumerate(text.splitlines(), 1):
        words = line.split()
        if not words:
            continue
        if len(words) != 2:
            raise ValueError(f"list-overrides line {n}: unexpected {line!r}")
        out[words[0]] = None if words[1] == "(none)" else words[1]
    return out


def tree_overrides(tree):
    base = os.path.join(tree, "sys/bus/pci/devices")
    out = {}
    for name in os.listdir(base):
        try:
            with open(os.path.join(base, name, "driver_override")) as f:
                value = f.read().rstrip("\n")
        except FileNotFoundError:
            continue
        out[name] = None if value in ("(null)", "") else value
    return out


def find_json(outputs, name):
    candidates = [name] if name else sorted(f[:-4] for f in os.listdir(outputs) if f.endswith(".out"))
    for c in candidates:
        path = os.path.join(outputs, c + ".out")
        try:
            with open(path) as f:
                doc = json.load(f)
        except (OSError, ValueError):
            continue
        if isinstance(doc, dict) and "devices" in doc:
            return path, doc
    raise ValueError(f"no vfioctl JSON output in {outputs}" + (f" named {name}" if name else ""))


def compare(vfioctl, devices, overrides, tree):
    problems = []
    ours = {}
    for d in vfioctl["devices"]:
        if d.get("bus", "pci") != "pci":
            continue
        if d["address"] in ours:
            problems.append(f"{d['address']}: listed twice by vfioctl")
        ours[d["address"]] = d

    for bdf in sorted(set(devices) - set(ours)):
        problems.append(f"{bdf}: listed by driverctl list-devices, missing from vfioctl")
    for bdf in sorted(set(ours) - set(devices)):
        # driverctl skips devices without a driver_override file (kernels before 3.16).
        problems.append(f"{bdf}: listed by vfioctl, missing from driverctl list-devices")

    for bdf in sorted(set(ours) & set(devices)):
        d = ours[bdf]
        dc_driver, dc_override_set = devices[bdf]
        if d["driver"] != dc_driver:
            problems.append(f"{bdf}: driver: vfioctl {d['driver']!r}, driverctl {dc_driver!r}")
        if (d["driver_override"] is not None) != dc_override_set:
            problems.append(f"{bdf}: override set: vfioctl {d['driver_override']!r}, "
                            f"driverctl list-devices {'[*]' if dc_override_set else 'none'}")
        in_overrides = bdf in overrides
        if (d["driver_override"] is not None) != in_overrides:
            problems.append(f"{bdf}: override set: vfioctl {d['driver_override']!r}, "
                            f"driverctl list-overrides {'lists it' if in_overrides else 'does not'}")
        elif in_overrides and overrides[bdf] != d["driver"]:
            problems.append(f"{bdf}: list-overrides driver {overrides[bdf]!r}, vfioctl {d['driver']!r}")
        if tree is not None and bdf in tree and tree[bdf] != d["driver_override"]:
            problems.append(f"{bdf}: override value: vfioctl {d['driver_override']!r}, tree {tree[bdf]!r}")
    for bdf in sorted(set(overrides) - set(ours)):
        problems.append(f"{bdf}: listed by driverctl list-overrides, missing from vfioctl")
    return ours, problems


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results", nargs="?")
    ap.add_argument("--json", dest="json_name")
    ap.add_argument("--vfioctl-json")
    ap.add_argument("--list-devices")
    ap.add_argument("--list-overrides")
    ap.add_argument("--tree", help="the fake tree root (its sys/bus/pci/devices/*/driver_override)")
    ap.add_argument("--max-report", type=int, default=20)
    a = ap.parse_args()

    try:
        if a.results:
            outputs = os.path.join(a.results, "outputs")
            json_path, doc = find_json(outputs, a.json_name)
            ld_path = os.path.join(outputs, "driverctl-list-devices.out")
            lo_path = os.path.join(outputs, "driverctl-list-overrides.out")
        elif a.vfioctl_json and a.list_devices and a.list_overrides:
            json_path, ld_path, lo_path = a.vfioctl_json, a.list_devices, a.list_overrides
            with open(json_path) as f:
                doc = json.load(f)
        else:
            ap.error("give RESULTS_DIR, or --vfioctl-json, --list-devices and --list-overrides")
        with open(ld_path) as f:
            devices = parse_list_devices(f.read())
        with open(lo_path) as f:
            overrides = parse_list_overrides(f.read())
        tree = tree_overrides(a.tree) if a.tree else None
    except (OSError, ValueError) as e:
        print(f"check_agreement: {e}", file=sys.stderr)
        return 2
    if not devices:
        print("check_agreement: driverctl list-devices printed nothing", file=sys.stderr)
        return 2

    ours, problems = compare(doc, devices, overrides, tree)
    bound = sum(1 for v in devices.values() if v[0] is not None)
    print(f"vfioctl JSON: {json_path}")
    print(f"devices: vfioctl {len(ours)}, driverctl list-devices {len(devices)} ({bound} bound), "
          f"list-overrides {len(overrides)}" + (f", tree overrides {sum(v is not None for v in tree.values())}"
                                                 if tree is not None else ""))
    if problems:
        print(f"MISMATCH: {len(problems)} problem(s)")
        for p in problems[: a.max_report]:
            print("  " + p)
        if len(problems) > a.max_report:
            print(f"  ... {len(problems) - a.max_report} more")
        return 1
    print(f"agree: driver and override of all {len(devices)} devices")
    return 0


if __name__ == "__main__":
    sys.exit(main())
