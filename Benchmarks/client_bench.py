"""The confluent-kafka (librdkafka) side of Benchmarks/ClientBenchmarks: the same three
measurements with the same settings, printed as one JSON object.

  client_bench.py BROKER TOPIC_PRODUCE TOPIC_LATENCY SIZE COUNT RATE SECONDS FETCH_WAIT_MS
  client_bench.py produce-tls BROKER CA_FILE TOPIC SIZE COUNT    (the produce measurement over TLS)
"""
import json
import resource
import sys
import time

from confluent_kafka import Consumer, Producer, TopicPartition


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def produce(broker, topic, size, count, security=None):
    p = Producer({"bootstrap.servers": broker, "linger.ms": 5, "batch.size": 1 << 20,
                  "acks": "all", "enable.idempotence": True, "queue.buffering.max.kbytes": 65536,
                  "queue.buffering.max.messages": 1000000, **(security or {})})
    p.list_topics(topic, timeout=10)
    value = b"x" * size
    c0, t0 = cpu(), time.monotonic()
    sent = 0
    while sent < count:
        try:
            p.produce(topic, value)
            sent += 1
        except BufferError:
            p.poll(0.001)
    p.flush(60)
    return time.monotonic() - t0, cpu() - c0


def consume(broker, topic, count, fetch_wait_ms):
    c = Consumer({"bootstrap.servers": broker, "group.id": "bench-%s" % topic, "enable.auto.commit": False,
                  "fetch.wait.max.ms": fetch_wait_ms})
    parts = c.list_topics(topic, timeout=10).topics[topic].partitions
    c0, t0 = cpu(), time.monotonic()
    c.assign([TopicPartition(topic, p, 0) for p in parts])
    got = 0
    while got < count:
        got += len(c.consume(10000, timeout=1))
    elapsed, used = time.monotonic() - t0, cpu() - c0
    c.close()
    return elapsed, used


def latency(broker, topic, size, rate, seconds, fetch_wait_ms):
    p = Producer({"bootstrap.servers": broker, "linger.ms": 1, "acks": "all", "enable.idempotence": True})
    c = Consumer({"bootstrap.servers": broker, "group.id": "lat-%s" % topic, "enable.auto.commit": False,
                  "fetch.wait.max.ms": fetch_wait_ms})
    parts = c.list_topics(topic, timeout=10).topics[topic].partitions
    c.assign([TopicPartition(topic, p, -1) for p in parts])   # from the end
    # Let the consumer find the end before the clock starts.
    deadline = time.monotonic() + 1
    while time.monotonic() < deadline:
        c.consume(100, timeout=0.05)
    total = int(rate * seconds)
    pad = b"x" * max(0, size - 8)
    samples = []
    start = time.monotonic_ns()
    sent = 0
    end = time.monotonic() + seconds + 10
    while len(samples) < total and time.monotonic() < end:
        now = time.monotonic_ns()
        due = min(total, (now - start) * rate // 1_000_000_000)
        while sent < due:
            p.produce(topic, time.monotonic_ns().to_bytes(8, "big") + pad)
            sent += 1
        p.poll(0)
        for m in c.consume(1000, timeout=0.0005):
            if m.error() is None:
                samples.append((time.monotonic_ns() - int.from_bytes(m.value()[:8], "big")) / 1e6)
    p.flush(10)
    c.close()
    samples.sort()
    return samples


def main():
    if sys.argv[1] == "produce-tls":
        broker, ca, topic, size, count = sys.argv[2:7]
        tls = {"security.protocol": "ssl", "ssl.ca.location": ca}
        print(json.dumps({"produce": produce(broker, topic, int(size), int(count), tls)}))
        return
    broker, t_prod, t_lat, size, count, rate, seconds, fetch_wait = sys.argv[1:9]
    size, count, rate, seconds, fetch_wait = int(size), int(count), int(rate), float(seconds), int(fetch_wait)
    prod = produce(broker, t_prod, size, count)
    cons = consume(broker, t_prod, count, fetch_wait)
    lat = latency(broker, t_lat, size, rate, seconds, fetch_wait)
    print(json.dumps({"produce": prod, "consume": cons, "latency": lat}))


if __name__ == "__main__":
    main()
