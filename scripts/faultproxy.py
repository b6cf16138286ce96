#!/usr/bin/env python3
"""A seeded TCP proxy that injects connection faults, for the fault tests.

    faultproxy.py --listen PORT --upstream HOST:PORT [--seed S] [--plan ...] [--random ...]

Every accepted connection gets a number (0, 1, 2, ...) and one fate, decided when it is
accepted: from `--plan` if the plan names that number, else from the seeded random mix, else
`pass`. The same seed and the same order of connections give the same fates, so a failing test
reproduces from the seed it prints. Fates (DIR is `up`, client to server, `down`, or `any`:
N counts the bytes of both directions, and the fault strikes whichever crosses N):

    pass                 forward everything
    refuse               accept, then close at once
    cut:DIR:N            forward N bytes in DIR (a frame may end half-way), then close both ends
    reset:DIR:N          the same, but reset both ends (SO_LINGER 0: the peer sees ECONNRESET)
    stall:DIR:N:MS       after N bytes in DIR, forward nothing either way for MS ms, then go on
    blackhole:DIR:N      after N bytes in DIR, forward nothing and read nothing, keeping both
                         sockets open until the client closes: only a timeout can tell

`--plan 0=cut:down:100,3=blackhole:up:0` fixes the fates of connections 0 and 3. `--random`
takes `KIND[,KIND...]` and draws, for each connection, a fault with probability `--rate` (the
kind and its parameters uniformly: N within `--min-bytes`..`--max-bytes` of either direction
(`any`), stalls within `--stall-ms`), until `--max-faults` faults were drawn. Once ready it prints `ready PORT` on
stdout. Counters (connections, faults by kind, bytes each way) are written as JSON to
`--stats FILE` after every change, and a line per fault goes to stderr.

Only loopback addresses are accepted for both ends. Single-threaded, non-blocking sockets.
"""
import argparse
import errno
import heapq
import json
import os
import random
import selectors
import signal
import socket
import struct
import sys
import time

KINDS = ("cut", "reset", "stall", "blackhole", "refuse")
CHUNK = 65536


def parse_fate(text):
    parts = text.split(":")
    kind = parts[0]
    if kind in ("pass", "refuse") and len(parts) == 1:
        return {"kind": kind}
    if kind in ("cut", "reset", "blackhole") and len(parts) == 3 and parts[1] in ("up", "down", "any"):
        return {"kind": kind, "dir": parts[1], "bytes": int(parts[2])}
    if kind == "stall" and len(parts) == 4 and parts[1] in ("up", "down", "any"):
        return {"kind": kind, "dir": parts[1], "bytes": int(parts[2]), "ms": int(parts[3])}
    raise ValueError(f"bad fate {text!r}")


def fate_text(fate):
    kind = fate["kind"]
    if kind in ("pass", "refuse"):
        return kind
    text = f"{kind}:{fate['dir']}:{fate['bytes']}"
    return text + (f":{fate['ms']}" if kind == "stall" else "")


class Fates:
    """Decides each connection's fate from the plan and the seeded random mix."""

    def __init__(self, args):
        self.plan = {}
        for item in filter(None, (args.plan or "").split(",")):
            index, fate = item.split("=", 1)
            self.plan[int(index)] = parse_fate(fate)
        self.kinds = [k for k in (args.random or "").split(",") if k]
        for kind in self.kinds:
            if kind not in KINDS:
                raise ValueError(f"unknown fault kind {kind!r}")
        self.args = args
        self.drawn = 0

    def fate(self, index):
        if index in self.plan:
            return self.plan[index]
        a = self.args
        if not self.kinds or (a.max_faults >= 0 and self.drawn >= a.max_faults):
            return {"kind": "pass"}
        rng = random.Random(f"{a.seed}:{index}")
        if rng.random() >= a.rate:
            return {"kind": "pass"}
        self.drawn += 1
        kind = rng.choice(self.kinds)
        if kind == "refuse":
            return {"kind": kind}
        fate = {"kind": kind, "dir": "any", "bytes": rng.randint(a.min_bytes, a.max_bytes)}
        if kind == "stall":
            low, high = (int(x) for x in a.stall_ms.split(".."))
            fate["ms"] = rng.randint(low, high)
        return fate


class Link:
    """One client connection and its upstream, with its fate and byte counts."""

    def __init__(self, index, client, fate):
        self.index = index
        self.client = client
        self.server = None
        self.fate = fate
        self.sent = {"up": 0, "down": 0}
        self.pending = {"up": b"", "down": b""}   # read, not yet written to the other side
        self.eof = {"up": False, "down": False}
        self.connected = False
        self.frozen = False       # blackhole: nothing read or written any more
        self.stalled_until = 0.0
        self.triggered = False
        self.closed = False

    def budget(self, direction):
        """Bytes DIR may still forward before the fate triggers, or None for no limit."""
        f = self.fate
        if self.triggered or f["kind"] in ("pass", "refuse"):
            return None
        if f["dir"] == "any":
            return max(0, f["bytes"] - self.sent["up"] - self.sent["down"])
        if f["dir"] != direction:
            return None
        return max(0, f["bytes"] - self.sent[direction])


class Proxy:
    def __init__(self, args):
        self.args = args
        self.fates = Fates(args)
        self.sel = selectors.DefaultSelector()
        self.links = {}
        self.next_index = 0
        self.timers = []
        self.stats = {"connections": 0, "open": 0, "faults": {k: 0 for k in KINDS},
                      "bytes_up": 0, "bytes_down": 0, "seed": args.seed}
        host, port = args.upstream.rsplit(":", 1)
        self.upstream = (host, int(port))
        for address in (host, "127.0.0.1"):
            if not address.startswith("127.") and address not in ("localhost", "::1"):
                raise SystemExit("faultproxy: loopback addresses only")
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", args.listen))
        self.listener.listen(128)
        self.listener.setblocking(False)
        self.sel.register(self.listener, selectors.EVENT_READ, None)

    # -- bookkeeping -------------------------------------------------------------------------

    def write_stats(self):
        self.last_write = time.monotonic()
        if not self.args.stats:
            return
        tmp = self.args.stats + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.stats, f, sort_keys=True)
        os.replace(tmp, self.args.stats)

    def fault(self, link, what):
        self.stats["faults"][link.fate["kind"]] += 1
        print(f"faultproxy: connection {link.index}: {what}", file=sys.stderr, flush=True)
        self.write_stats()

    # -- socket plumbing ---------------------------------------------------------------------

    def watch(self, link):
        """Re-registers both sockets for the events they need now."""
        for sock, reading, writing in ((link.client, "up", "down"), (link.server, "down", "up")):
            if sock is None or link.closed:
                continue
            events = 0
            waiting = link.frozen or time.monotonic() < link.stalled_until
            if not waiting:
                if not link.eof[reading] and not link.pending[reading] and link.budget(reading) != 0:
                    events |= selectors.EVENT_READ
                if link.pending[writing] or (sock is link.server and not link.connected):
                    events |= selectors.EVENT_WRITE
            if link.frozen and sock is link.client:
                events = selectors.EVENT_READ     # to discard what it sends and see it close
            elif link.frozen:
                events = 0
            try:
                key = self.sel.get_key(sock)
                if events == 0:
                    self.sel.unregister(sock)
                elif key.events != events:
                    self.sel.modify(sock, events, link)
            except KeyError:
                if events:
                    self.sel.register(sock, events, link)

    def close(self, link, reset=False):
        if link.closed:
            return
        link.closed = True
        for sock in (link.client, link.server):
            if sock is None:
                continue
            try:
                self.sel.unregister(sock)
            except (KeyError, ValueError):
                pass
            if reset:
                try:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                except OSError:
                    pass
            sock.close()
        self.links.pop(link.index, None)
        self.stats["open"] = len(self.links)
        self.write_stats()

    def accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except BlockingIOError:
                return
            client.setblocking(False)
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            index = self.next_index
            self.next_index += 1
            fate = self.fates.fate(index)
            link = Link(index, client, fate)
            self.links[index] = link
            self.stats["connections"] += 1
            self.stats["open"] = len(self.links)
            if fate["kind"] == "refuse":
                self.fault(link, "refused")
                self.close(link)
                continue
            if fate["kind"] != "pass":
                print(f"faultproxy: connection {index}: fate {fate_text(fate)}", file=sys.stderr, flush=True)
            server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            server.setblocking(False)
            server.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            link.server = server
            err = server.connect_ex(self.upstream)
            if err not in (0, errno.EINPROGRESS):
                self.close(link)
                continue
            self.write_stats()
            if fate["kind"] != "pass" and fate["bytes"] == 0:
                self.trigger(link)
            if not link.closed:
                self.watch(link)

    def readable(self, link, sock):
        direction = "up" if sock is link.client else "down"
        if link.frozen:
            # Blackholed: what the client sends vanishes; only its closing ends the link.
            try:
                if sock.recv(CHUNK) == b"":
                    self.close(link)
            except BlockingIOError:
                pass
            except OSError:
                self.close(link)
            return
        budget = link.budget(direction)
        size = CHUNK if budget is None else min(CHUNK, budget)
        try:
            data = sock.recv(size)
        except BlockingIOError:
            return
        except OSError:
            return self.close(link)
        if not data:
            link.eof[direction] = True
            other = link.server if direction == "up" else link.client
            try:
                other.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            if link.eof["up"] and link.eof["down"]:
                self.close(link)
            return
        link.pending[direction] += data

    def writable(self, link, sock):
        if sock is link.server and not link.connected:
            err = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                return self.close(link)
            link.connected = True
        direction = "down" if sock is link.client else "up"
        data = link.pending[direction]
        if not data:
            return
        budget = link.budget(direction)
        try:
            n = sock.send(data if budget is None else data[:budget])
        except BlockingIOError:
            return
        except OSError:
            return self.close(link)
        link.pending[direction] = data[n:]
        link.sent[direction] += n
        self.stats["bytes_" + direction] += n
        if link.budget(direction) == 0:
            self.trigger(link)

    def trigger(self, link):
        f = link.fate
        link.triggered = True
        where = f"after {f['bytes']} bytes {f['dir']}"
        if f["kind"] in ("cut", "reset"):
            self.fault(link, f"{f['kind']} {where}")
            self.close(link, reset=f["kind"] == "reset")
        elif f["kind"] == "blackhole":
            link.frozen = True
            self.fault(link, f"blackhole {where}")
        elif f["kind"] == "stall":
            link.stalled_until = time.monotonic() + f["ms"] / 1000
            heapq.heappush(self.timers, (link.stalled_until, link.index))
            self.fault(link, f"stall {f['ms']} ms {where}")

    def run(self):
        print(f"ready {self.listener.getsockname()[1]}", flush=True)
        self.write_stats()
        while True:
            # Byte counts are written at least twice a second while traffic flows.
            timeout = 0.5
            if self.timers:
                timeout = min(timeout, max(0.0, self.timers[0][0] - time.monotonic()))
            for key, events in self.sel.select(timeout):
                if key.data is None:
                    self.accept()
                    continue
                link = key.data
                if link.closed:
                    continue
                if events & selectors.EVENT_READ:
                    self.readable(link, key.fileobj)
                if not link.closed and events & selectors.EVENT_WRITE:
                    self.writable(link, key.fileobj)
                if not link.closed:
                    self.watch(link)
            now = time.monotonic()
            if now - self.last_write >= 0.5:
                self.write_stats()
            while self.timers and self.timers[0][0] <= now:
                _, index = heapq.heappop(self.timers)
                if index in self.links:
                    self.watch(self.links[index])


def main():
    p = argparse.ArgumentParser(description="seeded fault-injecting TCP proxy (loopback only)")
    p.add_argument("--listen", type=int, default=0, help="port to listen on (0: any free port)")
    p.add_argument("--upstream", required=True, help="HOST:PORT to forward to")
    p.add_argument("--seed", default="0")
    p.add_argument("--plan", help="INDEX=FATE[,INDEX=FATE...]")
    p.add_argument("--random", help="fault kinds to draw from: " + ",".join(KINDS))
    p.add_argument("--rate", type=float, default=0.5, help="chance that a connection gets a fault")
    p.add_argument("--min-bytes", type=int, default=0)
    p.add_argument("--max-bytes", type=int, default=1 << 20)
    p.add_argument("--stall-ms", default="100..1000", help="LOW..HIGH")
    p.add_argument("--max-faults", type=int, default=-1, help="stop drawing faults after this many")
    p.add_argument("--stats", help="file to keep the counters in (JSON)")
    args = p.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        Proxy(args).run()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
