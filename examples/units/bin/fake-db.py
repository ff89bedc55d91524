#!/usr/bin/env python3
"""A pretend database for the jinit demo: it speaks the sd_notify protocol.

It reports its warm-up with STATUS=, says READY=1 when it is up (units ordered After= it start only
then), and pings the watchdog at half the interval jinit gives it in WATCHDOG_USEC.
"""
import os
import socket
import time


def notify(message):
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return
    if address.startswith("@"):
        address = "\0" + address[1:]
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.connect(address)
        s.send(message.encode())


for percent in (25, 50, 75, 100):
    notify(f"STATUS=warming up cache {percent}%")
    print(f"db: warming up cache {percent}%", flush=True)
    time.sleep(0.5)
notify("READY=1\nSTATUS=accepting connections")
print("db: ready", flush=True)

interval = int(os.environ.get("WATCHDOG_USEC", "0")) / 2_000_000 or 5
pings = 0
while True:
    time.sleep(interval)
    notify("WATCHDOG=1")
    pings += 1
    if pings % 10 == 0:
        print(f"db: still healthy ({pings} watchdog pings)", flush=True)
