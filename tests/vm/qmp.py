#!/usr/bin/env python3
"""Send one QMP command to the test VM's QEMU, for a scenario's host hook (NN-name.host.sh).

    python3 tests/vm/qmp.py device_del '{"id": "nic1"}'
    python3 tests/vm/qmp.py --wait-console 'VM-HOST: unplug' device_del '{"id": "nic1"}'

The socket is $VM_QMP (run-vm.sh sets it). --wait-console first waits for a line containing the
text in $VM_CONSOLE, so the guest decides when the host acts. Prints QEMU's reply; exit 0 when
the command returned, 1 when QEMU answered with an error or did not answer in time.
"""
import json
import os
import socket
import sys
import time

TIMEOUT_S = 120


def wait_console(text, deadline):
    path = os.environ["VM_CONSOLE"]
    while time.monotonic() < deadline:
        with open(path, "rb") as f:
            if text.encode() in f.read():
                return True
        time.sleep(0.2)
    return False


def connect(path, deadline):
    while time.monotonic() < deadline:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            return s
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"no QMP socket at {path}")


def replies(sock):
    buf = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            if line.strip():
                yield json.loads(line)


def main(argv):
    deadline = time.monotonic() + TIMEOUT_S
    if len(argv) >= 2 and argv[0] == "--wait-console":
        if not wait_console(argv[1], deadline):
            print(f"qmp.py: '{argv[1]}' never appeared on the console", file=sys.stderr)
            return 1
        argv = argv[2:]
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    command = {"execute": argv[0]}
    if len(argv) > 1:
        command["arguments"] = json.loads(argv[1])
    sock = connect(os.environ["VM_QMP"], deadline)
    sock.settimeout(max(1.0, deadline - time.monotonic()))
    stream = replies(sock)
    next(stream)  # the greeting
    sock.sendall(json.dumps({"execute": "qmp_capabilities"}).encode() + b"\n")
    for reply in stream:
        if "return" in reply or "error" in reply:
            break
    sock.sendall(json.dumps(command).encode() + b"\n")
    for reply in stream:
        if "event" in reply:
            continue
        print(json.dumps(reply))
        return 0 if "return" in reply else 1
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
