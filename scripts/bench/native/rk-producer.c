/*
 * rk-producer: librdkafka load generator for the Brook bench.
 *
 *   rk-producer --bootstrap H:P --topic T [--size 1024] [--seconds 3 | --count N]
 *               [--acks 1] [--partitions 1] [--linger 5] [--rate 0] [--embed-ts]
 *               [--warmup-ms 500] [--create] [--create-only] [--delete-only] [--set key=value ...]
 *
 * Produces keyless records of --size bytes round-robin over partitions 0..P-1 as fast
 * as possible (or at --rate records/s), then flushes and prints one JSON line:
 *   {"records","bytes","seconds","errors","avgBatchBytes","batches","cpu"[,"ack":{n,p50,p99,p999,max}]}
 * ("cpu": CPU seconds this client used while producing, to check it is not the bottleneck.)
 * "ack" (rate mode) holds produce-to-delivery-report latencies in microseconds.
 * --embed-ts writes CLOCK_MONOTONIC ns into the first 8 payload bytes (for rk-consumer --e2e).
 */
#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <signal.h>

#include "common.h"

static int64_t delivered, failed, delivered_bytes;
static samples_t ack_lat;
static double batch_sum, batch_cnt;

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
  (void)rk;
  (void)opaque;
  if (m->err) {
    if (failed++ == 0) fprintf(stderr, "rk-producer: delivery failed: %s\n", rd_kafka_err2str(m->err));
    return;
  }
  delivered++;
  delivered_bytes += (int64_t)m->len;
  if (m->_private == (void *)1) samples_push(&ack_lat, rd_kafka_message_latency(m));
}

/* Accumulates topics.<t>.batchsize {sum,cnt} windows from the statistics JSON. */
static double json_num_after(const char *p, const char *key, const char *limit) {
  const char *k = strstr(p, key);
  if (!k || (limit && k > limit)) return 0;
  k += strlen(key);
  while (*k == ' ' || *k == ':') k++;
  return strtod(k, NULL);
}
static int stats_cb(rd_kafka_t *rk, char *json, size_t len, void *opaque) {
  (void)rk;
  (void)len;
  (void)opaque;
  const char *b = strstr(json, "\"batchsize\"");
  if (b) {
    const char *end = strchr(b, '}');
    batch_sum += json_num_after(b, "\"sum\"", end);
    batch_cnt += json_num_after(b, "\"cnt\"", end);
  }
  return 0;
}

static void die(const char *what, const char *why) {
  fprintf(stderr, "rk-producer: %s: %s\n", what, why);
  exit(1);
}

static void create_topic(rd_kafka_t *rk, const char *topic, int partitions) {
  char err[256];
  rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, partitions, 1, err, sizeof(err));
  if (!nt) die("NewTopic", err);
  rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
  rd_kafka_CreateTopics(rk, &nt, 1, NULL, q);
  rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 15000);
  if (!ev) die("CreateTopics", "timed out");
  if (rd_kafka_event_error(ev)) die("CreateTopics", rd_kafka_event_error_string(ev));
  const rd_kafka_CreateTopics_result_t *res = rd_kafka_event_CreateTopics_result(ev);
  size_t n;
  const rd_kafka_topic_result_t **tr = rd_kafka_CreateTopics_result_topics(res, &n);
  for (size_t i = 0; i < n; i++) {
    rd_kafka_resp_err_t e = rd_kafka_topic_result_error(tr[i]);
    if (e && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) die("CreateTopics", rd_kafka_err2str(e));
  }
  rd_kafka_event_destroy(ev);
  rd_kafka_queue_destroy(q);
  rd_kafka_NewTopic_destroy(nt);
}

static void delete_topic(rd_kafka_t *rk, const char *topic) {
  rd_kafka_DeleteTopic_t *dt = rd_kafka_DeleteTopic_new(topic);
  rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
  rd_kafka_DeleteTopics(rk, &dt, 1, NULL, q);
  rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 15000);
  if (!ev) die("DeleteTopics", "timed out");
  if (rd_kafka_event_error(ev)) die("DeleteTopics", rd_kafka_event_error_string(ev));
  size_t n;
  const rd_kafka_topic_result_t **tr =
      rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev), &n);
  for (size_t i = 0; i < n; i++)
    if (rd_kafka_topic_result_error(tr[i])) die("DeleteTopics", rd_kafka_err2str(rd_kafka_topic_result_error(tr[i])));
  rd_kafka_event_destroy(ev);
  rd_kafka_queue_destroy(q);
  rd_kafka_DeleteTopic_destroy(dt);
}

/* Waits until metadata shows the topic with at least `partitions` partitions (connects the client). */
static void wait_metadata(rd_kafka_t *rk, rd_kafka_topic_t *rkt, int partitions) {
  int64_t deadline = now_ns() + 15000000000LL;
  for (;;) {
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, rkt, &md, 5000);
    int ok = 0;
    if (!e && md->topic_cnt == 1 && !md->topics[0].err && md->topics[0].partition_cnt >= partitions) ok = 1;
    if (md) rd_kafka_metadata_destroy(md);
    if (ok) return;
    if (now_ns() > deadline) die("metadata", e ? rd_kafka_err2str(e) : "topic not ready");
    struct timespec ts = {0, 50000000};
    nanosleep(&ts, NULL);
  }
}

int main(int argc, char **argv) {
  const char *bootstrap = arg(argc, argv, "--bootstrap", "127.0.0.1:9092");
  const char *topic = arg(argc, argv, "--topic", "bench");
  int size = atoi(arg(argc, argv, "--size", "1024"));
  double seconds = atof(arg(argc, argv, "--seconds", "0"));
  int64_t count = atoll(arg(argc, argv, "--count", "0"));
  const char *acks = arg(argc, argv, "--acks", "1");
  int partitions = atoi(arg(argc, argv, "--partitions", "1"));
  const char *linger = arg(argc, argv, "--linger", "5");
  double rate = atof(arg(argc, argv, "--rate", "0"));
  int embed_ts = flag(argc, argv, "--embed-ts");
  int64_t warmup_ns = atoll(arg(argc, argv, "--warmup-ms", rate > 0 ? "500" : "0")) * 1000000LL;
  if (size < 8 && embed_ts) size = 8;
  if (seconds <= 0 && count <= 0) seconds = 3;

  char err[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
#define SET(k, v) \
  if (rd_kafka_conf_set(conf, k, v, err, sizeof(err)) != RD_KAFKA_CONF_OK) die(k, err)
  SET("bootstrap.servers", bootstrap);
  SET("acks", acks);
  SET("linger.ms", linger);
  SET("statistics.interval.ms", "500");
  SET("client.id", "brook-bench-producer");
  for (int i = 1; i < argc - 1; i++) {
    if (strcmp(argv[i], "--set")) continue;
    char kv[512];
    snprintf(kv, sizeof(kv), "%s", argv[i + 1]);
    char *eq = strchr(kv, '=');
    if (!eq) die("--set", "expected key=value");
    *eq = 0;
    SET(kv, eq + 1);
  }
  rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
  rd_kafka_conf_set_stats_cb(conf, stats_cb);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  if (!rk) die("rd_kafka_new", err);

  if (flag(argc, argv, "--delete-only")) {
    delete_topic(rk, topic);
    printf("{\"deleted\":\"%s\"}\n", topic);
    rd_kafka_destroy(rk);
    return 0;
  }
  if (flag(argc, argv, "--create") || flag(argc, argv, "--create-only")) create_topic(rk, topic, partitions);
  rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
  wait_metadata(rk, rkt, partitions);
  if (flag(argc, argv, "--create-only")) {
    printf("{\"created\":\"%s\",\"partitions\":%d}\n", topic, partitions);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
    return 0;
  }

  char *payload = malloc((size_t)size);
  for (int i = 0; i < size; i++) payload[i] = (char)('a' + (i * 7) % 26);

  double cpu0 = self_cpu_seconds();
  int64_t t0 = now_ns(), end_ns = seconds > 0 ? t0 + (int64_t)(seconds * 1e9) : INT64_MAX;
  double interval_ns = rate > 0 ? 1e9 / rate : 0;
  int64_t i = 0;
  for (; count <= 0 || i < count; i++) {
    int64_t now = now_ns();
    if (rate > 0) {
      int64_t due = t0 + (int64_t)((double)i * interval_ns);
      if (due >= end_ns) break;
      while (now < due) {
        rd_kafka_poll(rk, 0);
        int64_t left = due - now_ns();
        if (left > 20000) {
          struct timespec ts = {(time_t)(due / 1000000000LL), (long)(due % 1000000000LL)};
          clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
        }
        now = now_ns();
      }
    } else if ((i & 1023) == 0) {
      if (now >= end_ns) break;
      rd_kafka_poll(rk, 0);
    }
    void *measured = (rate > 0 && now - t0 >= warmup_ns) ? (void *)1 : NULL;
    int part = partitions > 1 ? (int)(i % partitions) : 0;
    for (;;) {
      int r;
      if (embed_ts) {
        int64_t ts = now_ns();
        memcpy(payload, &ts, 8);
        r = rd_kafka_produce(rkt, part, RD_KAFKA_MSG_F_COPY, payload, (size_t)size, NULL, 0, measured);
      } else {
        r = rd_kafka_produce(rkt, part, 0, payload, (size_t)size, NULL, 0, measured);
      }
      if (r == 0) break;
      if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL) die("produce", rd_kafka_err2str(rd_kafka_last_error()));
      rd_kafka_poll(rk, 1);
    }
    if (rate > 0) rd_kafka_poll(rk, 0);
  }
  if (rd_kafka_flush(rk, 120000) != RD_KAFKA_RESP_ERR_NO_ERROR) fprintf(stderr, "rk-producer: flush timed out\n");
  int64_t t1 = now_ns();
  rd_kafka_poll(rk, 0);

  printf("{\"records\":%lld,\"bytes\":%lld,\"seconds\":%.6f,\"errors\":%lld,\"avgBatchBytes\":%.0f,\"batches\":%.0f,"
         "\"cpu\":%.3f",
         (long long)delivered, (long long)delivered_bytes, (double)(t1 - t0) / 1e9, (long long)failed,
         batch_cnt > 0 ? batch_sum / batch_cnt : 0, batch_cnt, self_cpu_seconds() - cpu0);
  print_latency("ack", &ack_lat);
  printf("}\n");
  fflush(stdout);
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
  free(payload);
  return failed ? 3 : 0;
}
