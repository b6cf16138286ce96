#!/usr/bin/env python3
"""Golden jute bytes for the ZooKeeper codec tests, produced by kazoo's serializers.

Regenerate (from the repository root):

    python3 -m venv .deps/zkfixtures && .deps/zkfixtures/bin/pip install kazoo
    .deps/zkfixtures/bin/python Tests/ZooKeeperTests/Fixtures/generate_jute_fixtures.py \
        > Tests/ZooKeeperTests/JuteFixtures.swift

Requests are serialized by kazoo itself (header xid/type + body, without the 4-byte frame
length). kazoo has no SetWatches type and only deserializes replies, so those frames are packed
here with struct from zookeeper.jute's field order and then checked by decoding them with
kazoo's deserializers where it has one.
"""
import struct

from kazoo.protocol import serialization as s
from kazoo.security import OPEN_ACL_UNSAFE

fixtures = []


def add(name, raw):
    fixtures.append((name, bytes(raw).hex()))


def request(xid, req):
    return struct.pack("!ii", xid, req.type) + bytes(req.serialize())


def jute_string(value):
    raw = value.encode("utf-8")
    return struct.pack("!i", len(raw)) + raw


def jute_strings(values):
    return struct.pack("!i", len(values)) + b"".join(jute_string(v) for v in values)


STAT = (0x100000002, 0x100000003, 1700000000123, 1700000000456, 2, 3, 0,
        0x0123456789ABCDEF, 5, 1, 0x100000004)
stat_bytes = s.stat_struct.pack(*STAT)

# --- requests -----------------------------------------------------------------------------
add("connectNew", s.Connect(0, 0, 10000, 0, b"\x00" * 16, False).serialize())
add("connectResume", s.Connect(0, 0x100000005, 6000, 0x0123456789ABCDEF,
                               bytes(range(16)), False).serialize())
add("create", request(1, s.Create("/kiel/a", b"hello", OPEN_ACL_UNSAFE, 3)))
add("delete", request(2, s.Delete("/kiel/a", 5)))
add("exists", request(3, s.Exists("/kiel", True)))
add("getData", request(4, s.GetData("/kiel", False)))
add("setData", request(5, s.SetData("/kiel", b"{}", -1)))
add("getChildren", request(6, s.GetChildren("/kiel", True)))
add("getChildren2", request(7, s.GetChildren2("/kiel", False)))
add("sync", request(8, s.Sync("/kiel")))
add("multi", request(9, s.Transaction([
    s.Create("/kiel/t", b"x", OPEN_ACL_UNSAFE, 0),
    s.Delete("/kiel/old", 2),
    s.SetData("/kiel", b"y", 7),
    s.CheckVersion("/kiel/c", 1),
])))
add("ping", struct.pack("!ii", -2, s.Ping.type))
add("auth", struct.pack("!ii", -4, s.Auth.type) + s.Auth(0, "digest", "user:pass").serialize())
add("getACL", request(11, s.GetACL("/kiel")))
add("setACL", request(12, s.SetACL("/kiel", OPEN_ACL_UNSAFE, 3)))
add("closeSession", struct.pack("!ii", 10, s.Close.type))
add("setWatches", struct.pack("!iiq", -8, 101, 0x100000007)
    + jute_strings(["/a", "/b"]) + jute_strings(["/c"]) + jute_strings(["/d"]))

# --- replies ------------------------------------------------------------------------------
connect_response = struct.pack("!iiq", 0, 4000, 0x0123456789ABCDEF) \
    + struct.pack("!i", 16) + bytes(range(16, 32)) + b"\x00"
decoded, _ = s.Connect.deserialize(connect_response, 0)
assert decoded.time_out == 4000 and decoded.session_id == 0x0123456789ABCDEF
add("connectResponse", connect_response)

header = struct.pack("!iqi", 4, 0x100000009, 0)
get_data_reply = header + struct.pack("!i", 5) + b"hello" + stat_bytes
data, stat = s.GetData.deserialize(get_data_reply, s.reply_header_struct.size)
assert data == b"hello" and tuple(stat) == STAT
add("getDataReply", get_data_reply)

children_reply = struct.pack("!iqi", 7, 0x10000000A, 0) + jute_strings(["b", "a"]) + stat_bytes
children, stat = s.GetChildren2.deserialize(children_reply, s.reply_header_struct.size)
assert children == ["b", "a"] and tuple(stat) == STAT
add("getChildren2Reply", children_reply)

add("noNodeReply", struct.pack("!iqi", 3, 0x10000000B, -101))

multi_ok = struct.pack("!iqi", 9, 0x10000000C, 0) \
    + s.MultiHeader(1, False, 0).serialize() + jute_string("/kiel/t") \
    + s.MultiHeader(2, False, 0).serialize() \
    + s.MultiHeader(5, False, 0).serialize() + stat_bytes \
    + s.MultiHeader(13, False, 0).serialize() \
    + s.MultiHeader(-1, True, -1).serialize()
results = s.Transaction.deserialize(multi_ok, s.reply_header_struct.size)
assert results[0] == "/kiel/t" and results[1] is True and tuple(results[2]) == STAT
add("multiReply", multi_ok)

multi_failed = struct.pack("!iqi", 9, 0x10000000D, 0) \
    + s.MultiHeader(-1, False, 0).serialize() + struct.pack("!i", 0) \
    + s.MultiHeader(-1, False, -101).serialize() + struct.pack("!i", -101) \
    + s.MultiHeader(-1, False, -2).serialize() + struct.pack("!i", -2) \
    + s.MultiHeader(-1, True, -1).serialize()
results = s.Transaction.deserialize(multi_failed, s.reply_header_struct.size)
assert [type(r).__name__ for r in results] == \
    ["RolledBackError", "NoNodeError", "RuntimeInconsistency"]
add("multiFailedReply", multi_failed)

watch = struct.pack("!iqi", -1, -1, 0) + struct.pack("!ii", 4, 3) + jute_string("/kiel")
event, _ = s.Watch.deserialize(watch, s.reply_header_struct.size)
assert (event.type, event.state, event.path) == (4, 3, "/kiel")
add("watchEvent", watch)

print("// Generated by Fixtures/generate_jute_fixtures.py (see its header to regenerate).")
print("// Hex of jute frames without the 4-byte length prefix.")
print("enum JuteFixtures {")
for name, hexed in fixtures:
    print('    static let %s = "%s"' % (name, hexed))
print("}")
