#!/usr/bin/env python3
"""A SASL-terminating proxy in front of a plaintext Kafka broker, for the SASL tests.

    saslproxy.py --listen PORT --upstream HOST:PORT --user NAME:PASSWORD [--user ...]
                 [--mechanisms PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER]
                 [--token TOKEN ...] [--session-lifetime-ms MS] [--stats FILE]

Tansu refuses PLAIN and cannot complete SCRAM, so the tests authenticate against this proxy
instead: it answers ApiVersions (the upstream broker's APIs plus SaslHandshake v0-1 and
SaslAuthenticate v0-2), SaslHandshake and SaslAuthenticate itself, and forwards every other
request, once the connection has authenticated, to the broker unchanged (start the broker
advertising this proxy's port). The server side of SCRAM is `scramp`'s (RFC 5802/7677),
independent of the client under test. PLAIN checks `--user` passwords; OAUTHBEARER accepts
the `--token` values (RFC 7628 initial response).

As a Kafka broker does, it closes a connection that sends any other request before it has
authenticated, and one whose authentication failed (after answering
SASL_AUTHENTICATION_FAILED). With `--session-lifetime-ms`, SaslAuthenticate v1+ answers carry
that lifetime (KIP-368) and a request after it has run out, without re-authenticating on the
same connection first, closes the connection. `--silent-reauthentication` never answers a
re-authentication, as a broker gone quiet in the middle of one.

Prints `ready PORT` once listening. Counters go as JSON to `--stats FILE` after each change.
Loopback only.
"""
import argparse
import asyncio
import json
import os
import struct
import sys
import time

from scramp import ScramException, ScramMechanism

SASL_HANDSHAKE, API_VERSIONS, SASL_AUTHENTICATE = 17, 18, 36
UNSUPPORTED_SASL_MECHANISM, ILLEGAL_SASL_STATE, UNSUPPORTED_VERSION = 33, 34, 35
SASL_AUTHENTICATION_FAILED = 58
MAX_FRAME = 100 << 20

STATS = {"connections": 0, "authenticated": {}, "failed": 0, "reauthenticated": 0,
         "unauthenticated_requests": 0, "expired_closes": 0, "ignored_reauthentications": 0}


class Reader:
    """Reads Kafka's big-endian fields from one frame."""

    def __init__(self, data):
        self.data, self.at = data, 0

    def take(self, n):
        if self.at + n > len(self.data):
            raise ValueError("frame too short")
        out = self.data[self.at:self.at + n]
        self.at += n
        return out

    def int16(self):
        return struct.unpack(">h", self.take(2))[0]

    def int32(self):
        return struct.unpack(">i", self.take(4))[0]

    def uvarint(self):
        value, shift = 0, 0
        while True:
            byte = self.take(1)[0]
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                return value
            shift += 7

    def string(self):
        n = self.int16()
        return None if n < 0 else self.take(n).decode()

    def bytes(self, compact):
        n = self.uvarint() - 1 if compact else self.int32()
        return b"" if n < 0 else self.take(n)

    def skip_tagged(self):
        for _ in range(self.uvarint()):
            self.uvarint()
            self.take(self.uvarint())


def uvarint(n):
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def string16(text):
    if text is None:
        return struct.pack(">h", -1)
    raw = text.encode()
    return struct.pack(">h", len(raw)) + raw


def frame(correlation_id, body, header_tags=False):
    payload = struct.pack(">i", correlation_id) + (b"\x00" if header_tags else b"") + body
    return struct.pack(">i", len(payload)) + payload


def api_versions_body(version, apis, error=0):
    """An ApiVersions answer at `version` (0-3) listing `apis` (key -> (min, max))."""
    items = sorted(apis.items())
    if version >= 3:
        body = struct.pack(">h", error) + uvarint(len(items) + 1)
        for key, (lo, hi) in items:
            body += struct.pack(">hhh", key, lo, hi) + b"\x00"
        return body + struct.pack(">i", 0) + b"\x00"
    body = struct.pack(">hi", error, len(items))
    for key, (lo, hi) in items:
        body += struct.pack(">hhh", key, lo, hi)
    return body + (struct.pack(">i", 0) if version >= 1 else b"")


def authenticate_body(version, error, message, auth_bytes, lifetime_ms):
    if version >= 2:
        text = b"\x00" if message is None else uvarint(len(message.encode()) + 1) + message.encode()
        return (struct.pack(">h", error) + text + uvarint(len(auth_bytes) + 1) + auth_bytes
                + struct.pack(">q", lifetime_ms) + b"\x00")
    body = struct.pack(">h", error) + string16(message) + struct.pack(">i", len(auth_bytes)) + auth_bytes
    return body + (struct.pack(">q", lifetime_ms) if version >= 1 else b"")


async def read_frame(reader):
    size = struct.unpack(">i", await reader.readexactly(4))[0]
    if size < 0 or size > MAX_FRAME:
        raise ValueError(f"frame size {size}")
    return await reader.readexactly(size)


class Session:
    """One client connection: SASL state, then forwarding."""

    def __init__(self, proxy, client_reader, client_writer):
        self.proxy = proxy
        self.reader, self.writer = client_reader, client_writer
        self.mechanism = None
        self.scram = None
        self.authenticated_once = False
        self.expires_at = None
        self.upstream = None

    def answer(self, correlation_id, body, header_tags=False):
        self.writer.write(frame(correlation_id, body, header_tags))

    async def run(self):
        try:
            while True:
                data = await read_frame(self.reader)
                r = Reader(data)
                key, version, correlation_id = r.int16(), r.int16(), r.int32()
                r.string()  # client id
                if key == API_VERSIONS:
                    ok = 0 <= version <= 3
                    self.answer(correlation_id, api_versions_body(version if ok else 0, self.proxy.apis,
                                                                  0 if ok else UNSUPPORTED_VERSION))
                elif key == SASL_HANDSHAKE:
                    if self.authenticated_once and self.proxy.silent_reauth:
                        self.proxy.count("ignored_reauthentications")
                        continue   # a broker gone quiet in the middle of a re-authentication
                    self.handshake(correlation_id, r)
                elif key == SASL_AUTHENTICATE:
                    if version >= 2:
                        r.skip_tagged()
                    if not self.authenticate(correlation_id, version, r.bytes(compact=version >= 2)):
                        await self.writer.drain()
                        return
                elif not self.authenticated_once or self.mechanism is not None:
                    self.proxy.count("unauthenticated_requests")
                    return
                elif self.expires_at is not None and time.monotonic() > self.expires_at:
                    self.proxy.count("expired_closes")
                    return
                else:
                    await self.forward(data)
                await self.writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            return
        finally:
            self.writer.close()
            if self.upstream:
                self.upstream[1].close()

    def handshake(self, correlation_id, r):
        wanted = r.string()
        enabled = self.proxy.mechanisms
        error = 0 if wanted in enabled else UNSUPPORTED_SASL_MECHANISM
        if error == 0:
            self.mechanism = wanted
            self.scram = None
        body = struct.pack(">hi", error, len(enabled)) + b"".join(string16(m) for m in enabled)
        self.answer(correlation_id, body)

    def authenticate(self, correlation_id, version, auth_bytes):
        """Runs one SASL step; False when the connection must close (after the answer)."""
        tagged = version >= 2

        def reply(error, message=None, out=b"", lifetime=0):
            self.answer(correlation_id, authenticate_body(version, error, message, out, lifetime), tagged)

        if self.mechanism is None:
            reply(ILLEGAL_SASL_STATE, "SaslAuthenticate before SaslHandshake")
            return False
        try:
            done, out = self.step(auth_bytes)
        except (ScramException, ValueError, UnicodeDecodeError) as error:
            self.proxy.count("failed")
            reply(SASL_AUTHENTICATION_FAILED, f"authentication failed: {error}")
            return False
        if not done:
            reply(0, None, out)
            return True
        lifetime = self.proxy.lifetime_ms
        self.expires_at = time.monotonic() + lifetime / 1000 if lifetime else None
        if self.authenticated_once:
            self.proxy.count("reauthenticated")
        self.proxy.count_mechanism(self.mechanism)
        self.authenticated_once = True
        self.mechanism = None
        reply(0, None, out, lifetime)
        return True

    def step(self, auth_bytes):
        """(finished, bytes to send back) for one client message of the chosen mechanism."""
        if self.mechanism == "PLAIN":
            parts = auth_bytes.split(b"\x00")
            if len(parts) != 3 or self.proxy.users.get(parts[1].decode()) != parts[2].decode():
                raise ValueError("bad PLAIN credentials")
            return True, b""
        if self.mechanism == "OAUTHBEARER":
            fields = auth_bytes.decode().split("\x01")
            tokens = [f[len("auth=Bearer "):] for f in fields if f.startswith("auth=Bearer ")]
            if not tokens or tokens[0] not in self.proxy.tokens:
                raise ValueError("token not accepted")
            return True, b""
        if self.scram is None:
            self.scram = self.proxy.scram[self.mechanism].make_server(self.proxy.scram_auth(self.mechanism))
            self.scram.set_client_first(auth_bytes.decode())
            return False, self.scram.get_server_first().encode()
        self.scram.set_client_final(auth_bytes.decode())
        return True, self.scram.get_server_final().encode()

    async def forward(self, data):
        if self.upstream is None:
            host, port = self.proxy.upstream
            self.upstream = await asyncio.open_connection(host, port)
            asyncio.ensure_future(self.pump_down())
        self.upstream[1].write(struct.pack(">i", len(data)) + data)
        await self.upstream[1].drain()

    async def pump_down(self):
        """Broker to client, whole frames, so a local answer never lands inside one."""
        try:
            while True:
                data = await read_frame(self.upstream[0])
                self.writer.write(struct.pack(">i", len(data)) + data)
                await self.writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            self.writer.close()


class Proxy:
    def __init__(self, args):
        host, port = args.upstream.rsplit(":", 1)
        self.upstream = (host, int(port))
        self.mechanisms = args.mechanisms.split(",")
        self.users = dict(u.split(":", 1) for u in args.user)
        self.tokens = set(args.token)
        self.lifetime_ms = args.session_lifetime_ms
        self.silent_reauth = args.silent_reauthentication
        self.stats_path = args.stats
        self.scram = {m: ScramMechanism(m) for m in ("SCRAM-SHA-256", "SCRAM-SHA-512")}
        self.credentials = {m: {name: self.scram[m].make_auth_info(password, iteration_count=4096)
                                for name, password in self.users.items()} for m in self.scram}
        self.apis = {}

    def scram_auth(self, mechanism):
        def lookup(username):
            if username not in self.credentials[mechanism]:
                raise ScramException("unknown user")
            return self.credentials[mechanism][username]
        return lookup

    def count(self, name):
        STATS[name] += 1
        self.write_stats()

    def count_mechanism(self, mechanism):
        STATS["authenticated"][mechanism] = STATS["authenticated"].get(mechanism, 0) + 1
        self.write_stats()

    def write_stats(self):
        if self.stats_path:
            with open(self.stats_path + ".tmp", "w") as f:
                json.dump(STATS, f)
            os.replace(self.stats_path + ".tmp", self.stats_path)

    async def learn_upstream_apis(self):
        """The broker's own ApiVersions (v0), retried while it starts."""
        for _ in range(200):
            try:
                reader, writer = await asyncio.open_connection(*self.upstream)
            except OSError:
                await asyncio.sleep(0.1)
                continue
            request = struct.pack(">hhi", API_VERSIONS, 0, 1) + string16("saslproxy")
            writer.write(struct.pack(">i", len(request)) + request)
            r = Reader(await read_frame(reader))
            writer.close()
            r.int32()
            r.int16()
            for _ in range(r.int32()):
                key, lo, hi = r.int16(), r.int16(), r.int16()
                self.apis[key] = (lo, hi)
            self.apis[SASL_HANDSHAKE] = (0, 1)
            self.apis[SASL_AUTHENTICATE] = (0, 2)
            return
        raise SystemExit("saslproxy: upstream never answered")

    async def accept(self, reader, writer):
        self.count("connections")
        await Session(self, reader, writer).run()


async def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listen", type=int, required=True)
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--user", action="append", default=[])
    parser.add_argument("--token", action="append", default=[])
    parser.add_argument("--mechanisms", default="PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER")
    parser.add_argument("--session-lifetime-ms", type=int, default=0)
    parser.add_argument("--silent-reauthentication", action="store_true",
                        help="never answer a re-authentication (a broker gone quiet mid-exchange)")
    parser.add_argument("--stats")
    args = parser.parse_args()
    if not args.upstream.startswith("127.0.0.1:"):
        raise SystemExit("saslproxy: loopback upstream only")
    proxy = Proxy(args)
    await proxy.learn_upstream_apis()
    proxy.write_stats()
    server = await asyncio.start_server(proxy.accept, "127.0.0.1", args.listen)
    print(f"ready {args.listen}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
