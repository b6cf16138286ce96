#!/usr/bin/env python3
"""A confluent-kafka (librdkafka) consumer in a broker-coordinated group, for the mixed-group
tests: it joins GROUP with the given assignment strategy, prints what it is assigned and
what it consumes, commits automatically, and on SIGTERM closes (commit, LeaveGroup) and exits.

    group_member_confluent.py BROKER GROUP TOPIC STRATEGY

Prints one line per event, flushed at once (times in microseconds since the epoch):
    started MICROS                          (subscribing now)
    assigned MICROS topic:partition,...     (or "-" for nothing)
    added MICROS topic:partition,...        (cooperative-sticky: an incremental assignment)
    revoked MICROS topic:partition,...
    msg PARTITION OFFSET VALUE
    closed MICROS
"""
import signal
import sys
import time

import confluent_kafka

broker, group, topic, strategy = sys.argv[1:5]
stopping = False


def stop(*_):
    global stopping
    stopping = True


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def listed(partitions):
    return ",".join("%s:%d" % (p.topic, p.partition) for p in partitions) or "-"


def micros():
    return int(time.time() * 1_000_000)


signal.signal(signal.SIGTERM, stop)
consumer = confluent_kafka.Consumer({
    "bootstrap.servers": broker,
    "group.id": group,
    "partition.assignment.strategy": strategy,
    "session.timeout.ms": 6000,
    "heartbeat.interval.ms": 300,
    "max.poll.interval.ms": 10000,
    "auto.offset.reset": "earliest",
    "enable.auto.commit": True,
    "auto.commit.interval.ms": 500,
    "fetch.wait.max.ms": 100,
    "topic.metadata.refresh.interval.ms": 1000,
})
say("started %d" % micros())
# Under cooperative-sticky librdkafka hands out increments, not whole assignments.
gained = "added" if strategy == "cooperative-sticky" else "assigned"
consumer.subscribe([topic],
                   on_assign=lambda c, ps: say("%s %d %s" % (gained, micros(), listed(ps))),
                   on_revoke=lambda c, ps: say("revoked %d %s" % (micros(), listed(ps))))
while not stopping:
    message = consumer.poll(0.1)
    if message is None:
        continue
    if message.error():
        sys.stderr.write("error: %s\n" % message.error())
        continue
    say("msg %d %d %s" % (message.partition(), message.offset(), message.value().decode()))
consumer.close()
say("closed %d" % micros())
