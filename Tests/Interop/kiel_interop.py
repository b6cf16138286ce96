"""Cross-checks with Kafka clients written by others (confluent-kafka, kafka-python).

  produce CLIENT BROKER COUNT CODEC:TOPIC...   write COUNT messages to each TOPIC with CODEC
  consume CLIENT BROKER COUNT TOPIC...         read COUNT messages from each TOPIC's beginning

Both print one JSON object per message: topic, partition, offset, key and value as hex (or
null), headers as [name, hex-or-null] pairs, and murmur2, the partition the Java client's
murmur2 partitioner picks for the key (computed here with kafka-python's implementation).
"""
import json
import sys
import time

from kafka.partitioner.default import murmur2


def message(i):
    """The i-th test message: every fifth unkeyed, values of varied lengths and bytes."""
    key = None if i % 5 == 0 else ("key-%d" % (i % 11)).encode()
    value = bytes((i * 7 + j * 31) % 256 for j in range((i * 37) % 700)) + ("é-%d" % i).encode()
    headers = [("seq", str(i).encode()), ("bin", bytes([0, 255, i % 256])), ("empty", b"")]
    return key, value, headers


def hexify(b):
    return None if b is None else b.hex()


def expected_partition(key, partitions):
    if key is None:
        return None
    return (murmur2(key) & 0x7FFFFFFF) % partitions


def emit(topic, partition, offset, key, value, headers, partitions):
    print(json.dumps({
        "topic": topic, "partition": partition, "offset": offset,
        "key": hexify(key), "value": hexify(value),
        "headers": [[k, hexify(v)] for k, v in (headers or [])],
        "murmur2": expected_partition(key, partitions),
    }, sort_keys=True))


def produce_confluent(broker, count, targets):
    from confluent_kafka import Producer
    for codec, topic in targets:
        p = Producer({"bootstrap.servers": broker, "compression.type": codec,
                      "partitioner": "murmur2_random", "linger.ms": 5, "enable.idempotence": True})
        parts = len(p.list_topics(topic, timeout=10).topics[topic].partitions)
        out = []

        def reporter(headers):
            def report(err, msg):
                if err is not None:
                    raise SystemExit("delivery failed: %s" % err)
                out.append((msg, headers))
            return report

        for i in range(count):
            key, value, headers = message(i)
            p.produce(topic, value=value, key=key, headers=headers, on_delivery=reporter(headers))
            p.poll(0)
        if p.flush(30) != 0:
            raise SystemExit("flush left messages")
        for m, headers in out:
            emit(topic, m.partition(), m.offset(), m.key(), m.value(), headers, parts)


def produce_kafka_python(broker, count, targets):
    from kafka import KafkaProducer
    for codec, topic in targets:
        p = KafkaProducer(bootstrap_servers=broker, compression_type=None if codec == "none" else codec,
                          linger_ms=5)
        parts = len(p.partitions_for(topic))
        futures = []
        for i in range(count):
            key, value, headers = message(i)
            futures.append((p.send(topic, value=value, key=key, headers=headers), key, value, headers))
        p.flush(30)
        for f, key, value, headers in futures:
            md = f.get(timeout=30)
            emit(topic, md.partition, md.offset, key, value, headers, parts)
        p.close()


def consume_confluent(broker, count, topics):
    from confluent_kafka import Consumer, TopicPartition
    for topic in topics:
        c = Consumer({"bootstrap.servers": broker, "group.id": "interop-%s" % topic,
                      "enable.auto.commit": False, "fetch.wait.max.ms": 100})
        parts = sorted(c.list_topics(topic, timeout=10).topics[topic].partitions)
        c.assign([TopicPartition(topic, p, 0) for p in parts])
        got, deadline = [], time.time() + 60
        while len(got) < count and time.time() < deadline:
            for m in c.consume(500, timeout=1):
                if m.error():
                    raise SystemExit("consume failed: %s" % m.error())
                got.append(m)
        c.close()
        for m in got:
            emit(topic, m.partition(), m.offset(), m.key(), m.value(), m.headers(), len(parts))


def consume_kafka_python(broker, count, topics):
    from kafka import KafkaConsumer, TopicPartition
    for topic in topics:
        c = KafkaConsumer(bootstrap_servers=broker, enable_auto_commit=False, fetch_max_wait_ms=100)
        parts = sorted(c.partitions_for_topic(topic))
        tps = [TopicPartition(topic, p) for p in parts]
        c.assign(tps)
        c.seek_to_beginning(*tps)
        got, deadline = [], time.time() + 60
        while len(got) < count and time.time() < deadline:
            for records in c.poll(timeout_ms=1000).values():
                got.extend(records)
        c.close()
        for m in got:
            emit(topic, m.partition, m.offset, m.key, m.value, m.headers, len(parts))


def main():
    action, client, broker, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    rest = sys.argv[5:]
    if action == "produce":
        targets = [tuple(a.split(":", 1)) for a in rest]
        {"confluent": produce_confluent, "kafka-python": produce_kafka_python}[client](broker, count, targets)
    elif action == "consume":
        {"confluent": consume_confluent, "kafka-python": consume_kafka_python}[client](broker, count, rest)
    else:
        raise SystemExit("unknown action %s" % action)


if __name__ == "__main__":
    main()
