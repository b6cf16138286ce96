#!/usr/bin/env python3
"""Generates the Zstandard fixtures decoded by ZstdFixtureTests, and checks frames written
by the Swift encoder with the reference implementation.

Run from anywhere (paths are relative to this file):

    python3 -m venv .venv && .venv/bin/pip install zstandard
    .venv/bin/python generate_zstd_fixtures.py              # rewrite *.zst and manifest.txt
    .venv/bin/python generate_zstd_fixtures.py --check DIR  # decompress DIR/*.zst written by
                                                            # `ZSTD_EXPORT_DIR=DIR swift test --filter testInteropExport`
    .venv/bin/python generate_zstd_fixtures.py --stress DIR # write many varied frames and a manifest
                                                            # to DIR, then decode them all with
                                                            # `ZSTD_FIXTURE_DIR=DIR swift test --filter ZstdFixtureTests`

Inputs are not stored: they come from a seeded generator that ZstdTestData.swift mirrors
exactly. manifest.txt lists, per fixture, the XXH64 (seed 0) of the expected content and the
generator parts whose concatenation is that content.
"""
import os
import sys

import zstandard

HERE = os.path.dirname(os.path.abspath(__file__))
MASK = (1 << 64) - 1
WORDS = [
    "kafka", "topic", "partition", "offset", "broker", "leader", "replica", "consumer",
    "producer", "record", "batch", "header", "key", "value", "timestamp", "group",
    "commit", "fetch", "produce", "metadata", "zookeeper", "session", "watch", "node",
    "the", "a", "of", "and", "to", "in", "is", "for",
]


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)


def generate(kind, length, seed):
    rng = SplitMix64(seed)
    out = bytearray()
    if kind == "random":
        while len(out) < length:
            out.append(rng.next() & 0xFF)
    elif kind == "text":
        while len(out) < length:
            r = rng.next()
            out += WORDS[r % 32].encode()
            sep = (r >> 8) % 16
            out += b".\n" if sep == 0 else b", " if sep == 1 else b" "
    elif kind == "records":
        i = 0
        while len(out) < length:
            r = rng.next()
            out += ('{"id": %d, "user": "user-%d", "active": true}\n' % (i, r % 4)).encode()
            i += 1
    elif kind == "skewed":
        while len(out) < length:
            r = rng.next()
            out.append(((r & 0xFF) * ((r >> 8) & 0xFF)) >> 8)
    elif kind == "run":
        out = bytearray([seed & 0xFF]) * length
    else:
        raise ValueError(kind)
    return bytes(out[:length])


def xxh64(data):
    # The reference implementation's own XXH64 (frame checksum) is not exposed; compute it here.
    p1, p2, p3, p4, p5 = (0x9E3779B185EBCA87, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9,
                          0x85EBCA77C2B2AE63, 0x27D4EB2F165667C5)

    def rotl(x, r):
        return ((x << r) | (x >> (64 - r))) & MASK

    def rnd(acc, lane):
        return (rotl((acc + lane * p2) & MASK, 31) * p1) & MASK

    n = len(data)
    i = 0
    if n >= 32:
        v = [(p1 + p2) & MASK, p2, 0, (-p1) & MASK]
        while i + 32 <= n:
            for k in range(4):
                v[k] = rnd(v[k], int.from_bytes(data[i + 8 * k:i + 8 * k + 8], "little"))
            i += 32
        acc = (rotl(v[0], 1) + rotl(v[1], 7) + rotl(v[2], 12) + rotl(v[3], 18)) & MASK
        for k in range(4):
            acc = (((acc ^ rnd(0, v[k])) * p1) + p4) & MASK
    else:
        acc = p5
    acc = (acc + n) & MASK
    while i + 8 <= n:
        acc ^= rnd(0, int.from_bytes(data[i:i + 8], "little"))
        acc = (rotl(acc, 27) * p1 + p4) & MASK
        i += 8
    if i + 4 <= n:
        acc ^= (int.from_bytes(data[i:i + 4], "little") * p1) & MASK
        acc = (rotl(acc, 23) * p2 + p3) & MASK
        i += 4
    while i < n:
        acc ^= (data[i] * p5) & MASK
        acc = (rotl(acc, 11) * p1) & MASK
        i += 1
    acc ^= acc >> 33
    acc = (acc * p2) & MASK
    acc ^= acc >> 29
    acc = (acc * p3) & MASK
    acc ^= acc >> 32
    return acc


def parts_content(parts):
    return b"".join(generate(k, n, s) for k, n, s in parts)


def compress(data, level=3, checksum=True, size=True, params=None, streamed=False):
    if params is not None:
        cctx = zstandard.ZstdCompressor(compression_params=params)
    else:
        cctx = zstandard.ZstdCompressor(level=level, write_checksum=checksum, write_content_size=size)
    if streamed:
        obj = cctx.compressobj()
        return obj.compress(data) + obj.flush()
    return cctx.compress(data)


def skippable(payload, nibble=0):
    return (0x184D2A50 + nibble).to_bytes(4, "little") + len(payload).to_bytes(4, "little") + payload


def fixtures():
    text = [("text", 40_000, 1)]
    long_text = [("text", 135_000, 1)]
    small_text = [("text", 700, 2)]
    records = [("records", 1_100_000, 3)]
    ldm = zstandard.ZstdCompressionParameters.from_level(
        19, window_log=24, enable_ldm=True, write_checksum=True)
    yield "empty", [], compress(b"")
    yield "one_byte", [("random", 1, 4)], compress(parts_content([("random", 1, 4)]))
    yield "text_level1", text, compress(parts_content(text), level=1)
    yield "text_level3", long_text, compress(parts_content(long_text), level=3)
    yield "text_level19", long_text, compress(parts_content(long_text), level=19)
    yield "text_level22", text, compress(parts_content(text), level=22)
    yield "text_fast", text, compress(parts_content(text), level=-5)
    yield "text_no_checksum", text, compress(parts_content(text), checksum=False)
    yield "text_no_size", text, compress(parts_content(text), size=False)
    yield "text_streamed", text, compress(parts_content(text), streamed=True)
    yield "small_text_level19", small_text, compress(parts_content(small_text), level=19)
    yield "records_level3", records, compress(parts_content(records), level=3)
    yield "records_long_level19", records, compress(parts_content(records), params=ldm)
    yield "random", [("random", 10_000, 5)], compress(parts_content([("random", 10_000, 5)]))
    yield "skewed_level19", [("skewed", 20_000, 6)], compress(parts_content([("skewed", 20_000, 6)]), level=19)
    yield "run", [("run", 500_000, 0x41)], compress(parts_content([("run", 500_000, 0x41)]))
    multi = [("text", 5_000, 7), ("records", 20_000, 8), ("random", 3_000, 9)]
    yield "multi_frame", multi, (compress(generate(*multi[0]), level=1)
                                 + skippable(b"metadata the decoder must skip", 3)
                                 + compress(generate(*multi[1]), level=19, checksum=False)
                                 + skippable(b"", 15)
                                 + compress(generate(*multi[2]), size=False))


def write_fixtures():
    lines = []
    total = 0
    for name, parts, frame in fixtures():
        content = parts_content(parts)
        assert zstandard.ZstdDecompressor().decompressobj().decompress(frame) == content or name == "multi_frame"
        with open(os.path.join(HERE, name + ".zst"), "wb") as f:
            f.write(frame)
        total += len(frame)
        spec = "+".join("%s:%d:%d" % p for p in parts) or "-"
        lines.append("%s %016x %s" % (name + ".zst", xxh64(content), spec))
        print("%-24s %9d -> %7d bytes" % (name, len(content), len(frame)))
    with open(os.path.join(HERE, "manifest.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("total fixture bytes:", total)


def check(directory):
    """Decompresses frames written by the Swift encoder; names are KIND_LENGTH_SEED_LEVEL.zst."""
    failures = 0
    names = sorted(n for n in os.listdir(directory) if n.endswith(".zst"))
    for name in names:
        kind, length, seed, level = name[:-4].split("_")
        expected = generate(kind, int(length), int(seed))
        with open(os.path.join(directory, name), "rb") as f:
            frame = f.read()
        try:
            got = zstandard.ZstdDecompressor().decompress(frame)
        except zstandard.ZstdError as error:
            got = ("error: %s" % error).encode()
        ok = got == expected
        failures += not ok
        print("%-40s %9d -> %8d  %s" % (name, len(expected), len(frame), "ok" if ok else "MISMATCH"))
    print("%d frames, %d failures" % (len(names), failures))
    return failures == 0 and len(names) > 0


def stress(directory, count=300):
    """Frames with varied parameters: strategies, window sizes, block flushes, frame flags."""
    rng = SplitMix64(2024)
    kinds = ["text", "records", "random", "skewed", "run"]
    lines = []
    for i in range(count):
        kind = kinds[rng.next() % len(kinds)]
        length = [0, 1, 5, 100, 1000, 5000, 70_000, 140_000, 300_000][rng.next() % 9]
        seed = rng.next() % 1000
        data = generate(kind, length, seed)
        mode = rng.next() % 4
        checksum = bool(rng.next() % 2)
        size = bool(rng.next() % 2)
        if mode == 0:
            frame = zstandard.ZstdCompressor(level=int(rng.next() % 30) - 7, write_checksum=checksum,
                                             write_content_size=size).compress(data)
        elif mode == 1:
            params = zstandard.ZstdCompressionParameters(
                window_log=10 + rng.next() % 15, strategy=1 + rng.next() % 9,
                min_match=3 + rng.next() % 5, search_log=1 + rng.next() % 8,
                enable_ldm=bool(rng.next() % 2), write_checksum=checksum, write_content_size=size)
            frame = zstandard.ZstdCompressor(compression_params=params).compress(data)
        else:
            # Many small blocks, cut at arbitrary places: tables and Huffman trees get reused.
            cctx = zstandard.ZstdCompressor(level=1 + rng.next() % 19, write_checksum=checksum)
            obj = cctx.compressobj(size=len(data) if size else -1)
            frame = b""
            pos = 0
            while pos < len(data):
                step = 1 + rng.next() % 5000
                frame += obj.compress(data[pos:pos + step])
                if mode == 3 or rng.next() % 2:
                    frame += obj.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK)
                pos += step
            frame += obj.flush()
        name = "stress_%03d.zst" % i
        with open(os.path.join(directory, name), "wb") as f:
            f.write(frame)
        assert zstandard.ZstdDecompressor().decompressobj().decompress(frame) == data
        lines.append("%s %016x %s" % (name, xxh64(data), "%s:%d:%d" % (kind, length, seed) if length else "-"))
    with open(os.path.join(directory, "manifest.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote %d frames to %s" % (count, directory))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        sys.exit(0 if check(sys.argv[2]) else 1)
    if len(sys.argv) == 3 and sys.argv[1] == "--stress":
        stress(sys.argv[2])
        sys.exit(0)
    write_fixtures()
