"""The fault headline workload with confluent-kafka (librdkafka), for comparison with Kiel.

    fault_headline_confluent.py BOOTSTRAP TOPIC COUNT KEYS

Produces COUNT keyed values `k<key>|<sequence>|xxx...` (100 bytes, sequence counting up per
key) with idempotence, then reads the topic back from the beginning, and prints one JSON
object: how many were acknowledged and failed, and what came back (missing, duplicated, out of
order per key). Timeouts are set like the Kiel side's: a silent connection is noticed after
about 2 s.
"""
import json
import sys
import time
import uuid

from confluent_kafka import Consumer, Producer, TopicPartition

bootstrap, topic, count, keys = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])


def values():
    sequence = [0] * keys
    for i in range(count):
        k = i % keys
        head = f"k{k}|{sequence[k]}|"
        sequence[k] += 1
        yield f"k{k}", head + "x" * (100 - len(head))


common = {
    "bootstrap.servers": bootstrap,
    "socket.timeout.ms": 2000,
    "socket.connection.setup.timeout.ms": 2000,
    "reconnect.backoff.max.ms": 500,
    "retry.backoff.ms": 50,
    "log_level": 0,
}
producer = Producer({**common, "enable.idempotence": True, "acks": "all", "linger.ms": 2,
                     "batch.size": 256 << 10, "request.timeout.ms": 2000, "message.timeout.ms": 90000,
                     "queue.buffering.max.messages": 1000000})
acked = failed = 0


def report(err, _msg):
    global acked, failed
    if err is None:
        acked += 1
    else:
        failed += 1


started = time.monotonic()
for key, value in values():
    while True:
        try:
            producer.produce(topic, value.encode(), key.encode(), on_delivery=report)
            break
        except BufferError:
            producer.poll(0.05)
    producer.poll(0)
remaining = producer.flush(120)
produce_seconds = time.monotonic() - started

consumer = Consumer({**common, "group.id": "headline-" + uuid.uuid4().hex, "enable.auto.commit": False,
                     "auto.offset.reset": "earliest", "fetch.wait.max.ms": 100,
                     "max.partition.fetch.bytes": 256 << 10, "fetch.max.bytes": 1 << 20})
partitions = consumer.list_topics(topic, timeout=30).topics[topic].partitions
consumer.assign([TopicPartition(topic, p, 0) for p in partitions])
received = []
started = time.monotonic()
deadline = started + 180
while len(received) < count and time.monotonic() < deadline:
    for msg in consumer.consume(10000, 0.5):
        if msg.error() is None:
            received.append(msg.value().decode())
consume_seconds = time.monotonic() - started
consumer.close()

expected = {}
for key, _ in values():
    expected[key] = expected.get(key, 0) + 1
seen, last = {}, {}
duplicated = out_of_order = 0
for value in received:
    key, sequence, _ = value.split("|", 2)
    sequence = int(sequence)
    s = seen.setdefault(key, set())
    if sequence in s:
        duplicated += 1
        continue
    s.add(sequence)
    if key in last and sequence < last[key]:
        out_of_order += 1
    last[key] = sequence
missing = sum(n - len(seen.get(key, ())) for key, n in expected.items())
print(json.dumps({"acknowledged": acked, "failed": failed, "unreported": remaining, "received": len(received),
                  "missing": missing, "duplicated": duplicated, "out_of_order": out_of_order,
                  "produce_seconds": round(produce_seconds, 1), "consume_seconds": round(consume_seconds, 1)}))
