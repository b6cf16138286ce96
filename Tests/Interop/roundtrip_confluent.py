"""Produces one message to a topic through confluent-kafka and reads it back from partition 0.

Usage: python roundtrip_confluent.py BROKER TOPIC VALUE
Prints the value it read. Proves the interop toolchain (the venv's clients) works with the broker.
"""
import sys

import confluent_kafka
import kafka  # noqa: F401  (kafka-python must import too)
import kazoo.client  # noqa: F401

broker, topic, value = sys.argv[1:4]

producer = confluent_kafka.Producer({"bootstrap.servers": broker})
reports = []
producer.produce(topic, value=value.encode(), partition=0,
                 on_delivery=lambda err, msg: reports.append(err))
producer.flush(30)
if reports != [None]:
    sys.exit(f"delivery failed: {reports}")

consumer = confluent_kafka.Consumer({
    "bootstrap.servers": broker,
    "group.id": f"{topic}-reader",
    "enable.auto.commit": False,
    "fetch.wait.max.ms": 100,
})
consumer.assign([confluent_kafka.TopicPartition(topic, 0, confluent_kafka.OFFSET_BEGINNING)])
try:
    for _ in range(300):
        msg = consumer.poll(0.1)
        if msg is None:
            continue
        if msg.error():
            sys.exit(f"consume failed: {msg.error()}")
        print(msg.value().decode())
        break
    else:
        sys.exit("no message consumed")
finally:
    consumer.close()
