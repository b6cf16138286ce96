/*
 * The native anchor of Benchmarks/ClientBenchmarks: librdkafka driven from C, with no
 * language binding in between, doing what KielSide.swift does with the same settings
 * (idempotent, acks=all, linger 5 ms, 1 MiB batches; fetch wait and fetch bytes as Kiel's).
 * Prints one JSON object on stdout.
 *
 *   rdkafka_bench produce BROKER TOPIC SIZE COUNT [PROPERTY=VALUE ...]
 *       {"produce": [seconds, cpu_seconds]}
 *       (payload=text sends the benchmark's compressible text values instead of one byte repeated)
 *   rdkafka_bench consume BROKER TOPIC COUNT FETCH_WAIT_MS FETCH_MAX_BYTES PARTITION_MAX_BYTES
 *       {"consume": [seconds, cpu_seconds]}
 *   rdkafka_bench latency BROKER TOPIC SIZE RATE SECONDS FETCH_WAIT_MS
 *       {"latency": [milliseconds, ...]}  (sorted)
 *   rdkafka_bench group BROKER TOPIC COUNT MEMBERS FETCH_WAIT_MS FETCH_MAX_BYTES PARTITION_MAX_BYTES
 *       {"group": [seconds, cpu_seconds, settle_seconds]}
 *       MEMBERS subscribe()d consumers of one group, one thread each; timed from the moment the
 *       group has settled (every member has its share, applied only then).
 *
 * Extra PROPERTY=VALUE pairs are librdkafka configuration (e.g. security.protocol=ssl).
 * CPU seconds are user + system from getrusage(RUSAGE_SELF): every librdkafka thread counts.
 * scripts/bench.sh builds it with `cc` against librdkafka's headers.
 */
#include <inttypes.h>
#include <pthread.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

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

/* The values of a `payload=text` run: VALUE_POOL distinct values that cycle, each made of
 * 16-byte cells holding a fixed 8-byte field name and 8 pseudo-random hex digits, so that both
 * LZ matching and entropy coding find something to do. KielSide.swift builds the same bytes. */
enum { VALUE_POOL = 256 };

static void text_value(unsigned char *out, size_t size, unsigned k) {
    static const char name[8] = {'"', 'f', 'i', 'e', 'l', 'd', '"', ':'};
    static const char hex[16] = "0123456789abcdef";
    uint64_t x = (uint64_t)k + 1;
    for (size_t j = 0; j < size; j++) {
        if (j % 16 < 8) {
            out[j] = (unsigned char)name[j % 16];
        } else {
            x = x * 6364136223846793005u + 1442695040888963407u;
            out[j] = (unsigned char)hex[x >> 60];
        }
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
    int text = 0, extra = 0;
    for (int i = 4; i < argc; i++) {
        if (!strcmp(argv[i], "payload=text")) text = 1;
        else argv[4 + extra++] = argv[i];
    }
    rd_kafka_t *rk = new_producer(argv[0], "5", extra, argv + 4);
    unsigned pool = text ? VALUE_POOL : 1;
    unsigned char *values = malloc((size ? size : 1) * pool);
    if (text) {
        for (unsigned k = 0; k < pool; k++) text_value(values + (size_t)k * size, size, k);
    } else {
        memset(values, 'x', size);
    }
    const unsigned char *value = values;
    /* Kiel's producer connects (metadata and a producer id) before its clock starts: one
     * message delivered first does the same here. */
    partition_count(rk, topic);
    produce_one(rk, topic, value, size);
    rd_kafka_flush(rk, 30000);
    double c0 = cpu_seconds();
    uint64_t t0 = now_ns();
    for (long i = 0; i < count; i++) {
        produce_one(rk, topic, values + (size_t)(i % pool) * size, size);
        if ((i & 1023) == 0) rd_kafka_poll(rk, 0);
    }
    if (rd_kafka_flush(rk, 120000)) die("flush", "timed out");
    double seconds = (double)(now_ns() - t0) / 1e9, cpu = cpu_seconds() - c0;
    if (delivery_failures) die("produce", "some deliveries failed");
    printf("{\"produce\": [%.6f, %.6f]}\n", seconds, cpu);
    rd_kafka_destroy(rk);
    free(values);
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

/* One member of the `group` run: its handle, its thread, and how many partitions it holds. */
struct member {
    rd_kafka_t *rk;
    pthread_t thread;
    int held;
    rd_kafka_topic_partition_list_t *waiting;   /* an assignment taken before the group settled */
};

static int group_go;        /* set once the group has settled: members resume and the clock runs */
static long group_consumed;
static long group_target;
static uint64_t group_done_ns;    /* when the last message came, by the member that took it */
static double group_done_cpu;

/* Keeps each assignment aside until the group has settled, so that the clock measures
 * consuming rather than joining; the member applies it (rd_kafka_assign) once it has. */
static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *parts, void *opaque) {
    struct member *m = opaque;
    if (m->waiting) rd_kafka_topic_partition_list_destroy(m->waiting);
    m->waiting = NULL;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        if (__atomic_load_n(&group_go, __ATOMIC_ACQUIRE)) rd_kafka_assign(rk, parts);
        else m->waiting = rd_kafka_topic_partition_list_copy(parts);
        __atomic_store_n(&m->held, parts->cnt, __ATOMIC_RELEASE);
    } else {
        rd_kafka_assign(rk, NULL);
        __atomic_store_n(&m->held, 0, __ATOMIC_RELEASE);
    }
}

static void *member_run(void *arg) {
    struct member *m = arg;
    rd_kafka_queue_t *queue = rd_kafka_queue_get_consumer(m->rk);
    rd_kafka_message_t *batch[1000];
    while (__atomic_load_n(&group_consumed, __ATOMIC_RELAXED) < group_target) {
        if (m->waiting && __atomic_load_n(&group_go, __ATOMIC_ACQUIRE)) {
            rd_kafka_assign(m->rk, m->waiting);
            rd_kafka_topic_partition_list_destroy(m->waiting);
            m->waiting = NULL;
        }
        ssize_t n = rd_kafka_consume_batch_queue(queue, 10, batch, 1000);
        if (n < 0) die("group", rd_kafka_err2str(rd_kafka_last_error()));
        long got = 0;
        for (ssize_t i = 0; i < n; i++) {
            if (!batch[i]->err) got++;
            rd_kafka_message_destroy(batch[i]);
        }
        if (got && __atomic_add_fetch(&group_consumed, got, __ATOMIC_RELAXED) - got < group_target &&
            __atomic_load_n(&group_consumed, __ATOMIC_RELAXED) >= group_target) {
            group_done_cpu = cpu_seconds();
            group_done_ns = now_ns();
        }
    }
    rd_kafka_queue_destroy(queue);
    return NULL;
}

static int group(int argc, char **argv) {
    if (argc != 7) die("group", "BROKER TOPIC COUNT MEMBERS FETCH_WAIT_MS FETCH_MAX_BYTES PARTITION_MAX_BYTES");
    const char *broker = argv[0], *topic = argv[1];
    group_target = atol(argv[2]);
    int n = atoi(argv[3]);
    if (n < 1 || n > 64) die("group", "MEMBERS must be 1..64");
    static struct member members[64];
    char err[512], name[300];
    snprintf(name, sizeof name, "bench-group-%s-%d", topic, (int)getpid());
    int partitions = 0;
    uint64_t started = now_ns();
    for (int i = 0; i < n; i++) {
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        set(conf, "bootstrap.servers", broker);
        set(conf, "group.id", name);
        set(conf, "enable.auto.commit", "false");
        set(conf, "auto.offset.reset", "earliest");
        set(conf, "session.timeout.ms", "6000");
        set(conf, "heartbeat.interval.ms", "500");
        set(conf, "fetch.wait.max.ms", argv[4]);
        set(conf, "fetch.max.bytes", argv[5]);
        set(conf, "max.partition.fetch.bytes", argv[6]);
        rd_kafka_conf_set_opaque(conf, &members[i]);
        rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
        members[i].rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
        if (!members[i].rk) die("consumer", err);
        if (i == 0) partitions = partition_count(members[i].rk, topic);
        rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(list, topic, RD_KAFKA_PARTITION_UA);
        rd_kafka_resp_err_t e = rd_kafka_subscribe(members[i].rk, list);
        rd_kafka_topic_partition_list_destroy(list);
        if (e) die("subscribe", rd_kafka_err2str(e));
        if (pthread_create(&members[i].thread, NULL, member_run, &members[i])) die("group", "pthread_create");
    }
    /* Settled: every partition held, by every member when there are enough partitions to go
     * round, for 200 ms in a row. */
    int want_members = n < partitions ? n : partitions;
    for (uint64_t since = 0;;) {
        int held = 0, holding = 0;
        for (int i = 0; i < n; i++) {
            int h = __atomic_load_n(&members[i].held, __ATOMIC_ACQUIRE);
            held += h;
            holding += h > 0;
        }
        if (held == partitions && holding >= want_members) {
            if (!since) since = now_ns();
            if (now_ns() - since >= 200000000u) break;
        } else {
            since = 0;
        }
        if (now_ns() - started > 120000000000u) die("group", "did not settle in 120 s");
        usleep(1000);
    }
    double settle = (double)(now_ns() - started) / 1e9;
    double c0 = cpu_seconds();
    uint64_t t0 = now_ns();
    __atomic_store_n(&group_go, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < n; i++) pthread_join(members[i].thread, NULL);
    double seconds = (double)(group_done_ns - t0) / 1e9, cpu = group_done_cpu - c0;
    printf("{\"group\": [%.6f, %.6f, %.6f]}\n", seconds, cpu, settle);
    fflush(stdout);
    for (int i = 0; i < n; i++) {
        rd_kafka_consumer_close(members[i].rk);
        rd_kafka_destroy(members[i].rk);
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 2 && !strcmp(argv[1], "produce")) return produce(argc - 2, argv + 2);
    if (argc >= 2 && !strcmp(argv[1], "consume")) return consume(argc - 2, argv + 2);
    if (argc >= 2 && !strcmp(argv[1], "latency")) return latency(argc - 2, argv + 2);
    if (argc >= 2 && !strcmp(argv[1], "group")) return group(argc - 2, argv + 2);
    if (argc >= 2 && !strcmp(argv[1], "version")) {
        printf("%s\n", rd_kafka_version_str());
        return 0;
    }
    fprintf(stderr, "usage: rdkafka_bench produce|consume|latency|group|version ...\n");
    return 2;
}
