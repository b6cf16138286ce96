#!/usr/bin/env python3
"""Golden byte fixtures for the consumer protocol's embedded formats (the subscription a
consumer puts in JoinGroup, the assignment the leader hands out in SyncGroup), encoded by
kafka-python from Apache Kafka's schemas. The same values are built in
ConsumerProtocolTests.swift.

Run from the repository root (kafka-python==3.0.12, e.g. the venv scripts/install.sh makes):

    .deps/venv/bin/python Tests/KafkaProtocolTests/Fixtures/generate_consumer_protocol_fixtures.py

Writes consumer_protocol_fixtures.json next to this script: [{"name", "version", "hex"}].
"""
import json
import os

from kafka.protocol.consumer.metadata import ConsumerProtocolAssignment, ConsumerProtocolSubscription

HERE = os.path.dirname(os.path.abspath(__file__))
SubTP = ConsumerProtocolSubscription.TopicPartition
AssignTP = ConsumerProtocolAssignment.TopicPartition


def subscription(version, user_data, owned):
    return ConsumerProtocolSubscription(
        version=version, topics=["orders", "payments"], user_data=user_data,
        owned_partitions=[SubTP(topic="orders", partitions=[0, 2])] if owned else [],
        generation_id=7, rack_id="rack-a")


def main():
    fixtures = []
    for version in range(0, 4):
        for name, user_data, owned in (("Subscription", b"\x01\x02", True),
                                       ("SubscriptionBare", None, False)):
            data = subscription(version, user_data, owned).encode()
            fixtures.append({"name": name, "version": version, "hex": data.hex()})
        for name, user_data in (("Assignment", b"\xff"), ("AssignmentBare", None)):
            value = ConsumerProtocolAssignment(
                version=version, user_data=user_data,
                assigned_partitions=[AssignTP(topic="orders", partitions=[1, 3]),
                                     AssignTP(topic="payments", partitions=[0])])
            fixtures.append({"name": name, "version": version, "hex": value.encode().hex()})
    with open(os.path.join(HERE, "consumer_protocol_fixtures.json"), "w") as f:
        json.dump(fixtures, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
