#!/usr/bin/env python3
"""A hostile neighbour for measuring the harness under a flood (docs/performance.md):
for SECONDS, open connections to HOST:PORT, announce a 100 GB POST and stream zeros until
the peer closes. Usage: ci/flood-mock.py HOST PORT SECONDS [PATH]"""
import socket
import sys
import time

host, port, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
path = sys.argv[4] if len(sys.argv) > 4 else "/x"
end = time.time() + seconds
conns = sent = 0
zeros = bytes(1 << 20)
while time.time() < end:
    try:
        s = socket.create_connection((host, port), timeout=2)
    except OSError:
        time.sleep(0.05)
        continue
    conns += 1
    try:
        s.sendall(f"POST {path} HTTP/1.1\r\nHost: h\r\nContent-Length: 100000000000\r\n\r\n".encode())
        while time.time() < end:
            s.sendall(zeros)
            sent += len(zeros)
    except OSError:
        pass
    finally:
        s.close()
print(f"{conns} connections, {sent / 1e6:.0f} MB sent")
