/*
 * The native anchor of Benchmarks/ClientBenchmarks: librdkafka driven from C, with no
 * language binding in between, doing what KielSide.swift does with the same settings
 * (idempotent, acks=all, linger 5 ms, 1 MiB batches; fetch wait and fetch bytes as Kiel's).
 * Prints one JSON object on stdout.
 *
 *   rdkafka_bench produce BROKER TOPIC SIZE COUNT [PROPERTY=VALUE ...]
 *       {"produce": [seconds, cpu_seconds]}
 *   rdkafka_bench consume BROKER TOPIC COUNT FETCH_WAIT_MS FETCH_MAX_BYTES PARTITION_MAX_BYTES
 *       {"consume": [seconds, cpu_seconds]}
 *   rdkafka_bench latency BROKER TOPIC SIZE RATE SECONDS FETCH_WAIT_MS
 *       {"latency": [milliseconds, ...]}  (sorted)
 *
 * Extra PROPERTY=VALUE pairs are librdkafka configuration (e.g. security.protocol=ssl).
 * CPU seconds are user + system from getrusage(RUSAGE_SELF): every librdkafka thread counts.
 * scripts/bench.sh builds it with `cc` against librdkafka's headers.
 */
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static void die(const char *what, const char *why) {
    fprintf(stderr, "rdkafka_bench: %s: %s\n", what, why);
    exit(1);
}

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static double cpu_seconds(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

static void set(rd_kafka_conf_t *conf, const char *name, const char *value) {
    char err[512];
    if (rd_kafka_conf_set(conf, name, value, err, sizeof err) != RD_KAFKA_CONF_OK) die(name, err);
}

/* Applies PROPERTY=VALUE arguments. */
static void set_extra(rd_kafka_conf_t *conf, int argc, char **argv) {
    for (int i = 0; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq) die(argv[i], "expected PROPERTY=VALUE");
        *eq = '\0';
        set(conf, argv[i], eq + 1);
    }
}

static int delivery_failures;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk, (void)opaque;
    if (m->err) {
        if (delivery_failures++ == 0) fprintf(stderr, "rdkafka_bench: delivery: %s\n", rd_kafka_err2str(m->err));
    }
}

static rd_kafka_t *new_producer(const char *broker, const char *linger_ms, int argc, char **argv) {
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    set(conf, "bootstrap.servers", broker);
    set(conf, "enable.idempotence", "true");
    set(conf, "acks", "all");
    set(conf, "linger.ms", linger_ms);
    set(conf, "batch.size", "1048576");
    set(conf, "batch.num.messages", "10000");                /* Kiel's batchSize */
    set(conf, "queue.buffering.max.kbytes", "65536");        /* Kiel's bufferBytes */
    set(conf, "queue.buffering.max.messages", "1000000");
    set_extra(conf, argc, argv);
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) die("producer", err);
    return rk;
}

static rd_kafka_t *new_consumer(const char *broker, const char *topic, const char *fetch_wait_ms,
                                const char *fetch_max_bytes, const char *partition_max_bytes) {
    char err[512], group[300];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    snprintf(group, sizeof group, "bench-%s", topic);
    set(conf, "bootstrap.servers", broker);
    set(conf, "group.id", group);
    set(conf, "enable.auto.commit", "false");
    set(conf, "fetch.wait.max.ms", fetch_wait_ms);
    set(conf, "fetch.max.bytes", fetch_max_bytes);
    set(conf, "max.partition.fetch.bytes", partition_max_bytes);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk) die("consumer", err);
    return rk;
}

/* The topic's partition count, from a metadata request (which also warms the connection). */
static int partition_count(rd_kafka_t *rk, const char *topic) {
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    const struct rd_kafka_metadata *md;
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, rkt, &md, 10000);
    if (e) die("metadata", rd_kafka_err2str(e));
    int n = md->topic_cnt == 1 ? md->topics[0].partition_cnt : 0;
    rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(rkt);
    if (n <= 0) die(topic, "no partitions");
    return n;
}

static void assign_all(rd_kafka_t *rk, const char *topic, int partitions, int64_t offset) {
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; p++) rd_kafka_topic_partition_list_add(list, topic, p)->offset = offset;
    rd_kafka_resp_err_t e = rd_kafka_assign(rk, list);
    rd_kafka_topic_partition_list_destroy(list);
    if (e) die("assign", rd_kafka_err2str(e));
}

static void produce_one(rd_kafka_t *rk, const char *topic, const void *value, size_t size) {
    for (;;) {
        rd_kafka_resp_err_t e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                                  RD_KAFKA_V_VALUE((void *)value, size), RD_KAFKA_V_END);
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR) return;
        if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) die("produce", rd_kafka_err2str(e));
        rd_kafka_poll(rk, 1);
    }
}

static int produce(int argc, char **argv) {
    if (argc < 4) die("produce", "BROKER TOPIC SIZE COUNT [PROPERTY=VALUE ...]");
    const char *topic = argv[1];
    size_t size = (size_t)atol(argv[2]);
    long count = atol(argv[3]);
    rd_kafka_t *rk = new_producer(argv[0], "5", argc - 4, argv + 4);
    /* With KIEL_BENCH_TEXT set (the codec runs), the values are text-like: random letters of a
     * 32-character alphabet, message i taken at offset i % 251 of one buffer, as Kiel's side
     * does with the same generator. Otherwise every value is 'x' repeated. */
    int text = getenv("KIEL_BENCH_TEXT") != NULL;
    char *value = malloc(size + 251);
    if (text) {
        static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz ,.\n:;";
        uint32_t x = 1;
        for (size_t i = 0; i < size + 251; i++) {
            x = x * 1103515245u + 12345u;
            value[i] = alphabet[(x >> 16) & 31];
        }
    } else {
        memset(value, 'x', size + 251);
    }
    /* Kiel's producer connects (metadata and a producer id) before its clock starts: one
     * message delivered first does the same here. */
    partition_count(rk, topic);
    produce_one(rk, topic, value, size);
    rd_kafka_flush(rk, 30000);
    double c0 = cpu_seconds();
    uint64_t t0 = now_ns();
    for (long i = 0; i < count; i++) {
        produce_one(rk, topic, value + (text ? i % 251 : 0), size);
        if ((i & 1023) == 0) rd_kafka_poll(rk, 0);
    }
    if (rd_kafka_flush(rk, 120000)) die("flush", "timed out");
    double seconds = (double)(now_ns() - t0) / 1e9, cpu = cpu_seconds() - c0;
    if (delivery_failures) die("produce", "some deliveries failed");
    printf("{\"produce\": [%.6f, %.6f]}\n", seconds, cpu);
    rd_kafka_destroy(rk);
    free(value);
    return 0;
}

static int consume(int argc, char **argv) {
    if (argc != 6) die("consume", "BROKER TOPIC COUNT FETCH_WAIT_MS FETCH_MAX_BYTES PARTITION_MAX_BYTES");
    const char *topic = argv[1];
    long count = atol(argv[2]);
    rd_kafka_t *consumer = new_consumer(argv[0], topic, argv[3], argv[4], argv[5]);
    int partitions = partition_count(consumer, topic);
    rd_kafka_queue_t *queue = rd_kafka_queue_get_consumer(consumer);
    static rd_kafka_message_t *batch[10000];
    double c0 = cpu_seconds();
    uint64_t t0 = now_ns();
    assign_all(consumer, topic, partitions, RD_KAFKA_OFFSET_BEGINNING);
    long got = 0;
    while (got < count) {
        ssize_t n = rd_kafka_consume_batch_queue(queue, 1000, batch, 10000);
        if (n < 0) die("consume", rd_kafka_err2str(rd_kafka_last_error()));
        for (ssize_t i = 0; i < n; i++) {
            if (!batch[i]->err) got++;
            rd_kafka_message_destroy(batch[i]);
        }
    }
    double seconds = (double)(now_ns() - t0) / 1e9, cpu = cpu_seconds() - c0;
    printf("{\"consume\": [%.6f, %.6f]}\n", seconds, cpu);
    rd_kafka_queue_destroy(queue);
    rd_kafka_consumer_close(consumer);
    rd_kafka_destroy(consumer);
    return 0;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int latency(int argc, char **argv) {
    if (argc != 6) die("latency", "BROKER TOPIC SIZE RATE SECONDS FETCH_WAIT_MS");
    const char *broker = argv[0], *topic = argv[1];
    size_t size = (size_t)atol(argv[2]);
    long rate = atol(argv[3]);
    long total = (long)((double)rate * atof(argv[4]));
    if (size < 8) size = 8;
    rd_kafka_t *producer = new_producer(broker, "1", 0, NULL);   /* Kiel's latency run lingers 1 ms */
    rd_kafka_t *consumer = new_consumer(broker, topic, argv[5], "1048576", "1048576");
    int partitions = partition_count(consumer, topic);
    partition_count(producer, topic);
    rd_kafka_queue_t *queue = rd_kafka_queue_get_consumer(consumer);
    assign_all(consumer, topic, partitions, RD_KAFKA_OFFSET_END);
    static rd_kafka_message_t *batch[1000];
    /* Let the consumer find the end before the clock starts. */
    for (uint64_t until = now_ns() + 1000000000u; now_ns() < until;) {
        ssize_t n = rd_kafka_consume_batch_queue(queue, 50, batch, 1000);
        for (ssize_t i = 0; i < n; i++) rd_kafka_message_destroy(batch[i]);
    }
    double *samples = malloc(sizeof(double) * (size_t)(total > 0 ? total : 1));
    unsigned char *value = calloc(1, size);
    memset(value + 8, 'x', size - 8);
    long sent = 0, got = 0;
    uint64_t start = now_ns(), end = start + (uint64_t)(atof(argv[4]) + 10) * 1000000000u;
    while (got < total && now_ns() < end) {
        long due = (long)((now_ns() - start) * (uint64_t)rate / 1000000000u);
        if (due > total) due = total;
        for (; sent < due; sent++) {
            uint64_t stamp = now_ns();
            for (int b = 0; b < 8; b++) value[b] = (unsigned char)(stamp >> (56 - 8 * b));
            produce_one(producer, topic, value, size);
        }
        rd_kafka_poll(producer, 0);
        ssize_t n = rd_kafka_consume_batch_queue(queue, 1, batch, 1000);
        uint64_t now = now_ns();
        for (ssize_t i = 0; i < n; i++) {
            rd_kafka_message_t *m = batch[i];
            if (!m->err && m->len >= 8 && got < total) {
                uint64_t at = 0;
                for (int b = 0; b < 8; b++) at = at << 8 | ((const unsigned char *)m->payload)[b];
                samples[got++] = (double)(now - at) / 1e6;
            }
            rd_kafka_message_destroy(m);
        }
    }
    qsort(samples, (size_t)got, sizeof(double), by_value);
    printf("{\"latency\": [");
    for (long i = 0; i < got; i++) printf(i ? ", %.4f" : "%.4f", samples[i]);
    printf("]}\n");
    rd_kafka_flush(producer, 10000);
    rd_kafka_queue_destroy(queue);
    rd_kafka_consumer_close(consumer);
    rd_kafka_destroy(consumer);
    rd_kafka_destroy(producer);
    free(samples);
    free(value);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 2 && !strcmp(argv[1], "produce")) return produce(argc - 2, argv + 2);
    if (argc >= 2 && !strcmp(argv[1], "consume")) return consume(argc - 2, argv + 2);
    if (argc >= 2 && !strcmp(argv[1], "latency")) return latency(argc - 2, argv + 2);
    if (argc >= 2 && !strcmp(argv[1], "version")) {
        printf("%s\n", rd_kafka_version_str());
        return 0;
    }
    fprintf(stderr, "usage: rdkafka_bench produce|consume|latency|version ...\n");
    return 2;
}
