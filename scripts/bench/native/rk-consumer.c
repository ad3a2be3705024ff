/*
 * rk-consumer: librdkafka reader for the Brook bench (no consumer group; partitions assigned).
 *
 *   rk-consumer --bootstrap H:P --topic T [--partitions 1] [--start beginning|end]
 *               [--seconds S] [--count N] [--loop] [--e2e] [--warmup-ms 500]
 *               [--fetch-wait-ms 500] [--set key=value ...]
 *
 * Reads partitions 0..P-1 from --start. Stops after --count records, after --seconds of reading,
 * or (neither given) when every partition has reached its end. --loop seeks a partition back to
 * offset 0 whenever it reaches its end (re-reads a small preloaded log for the whole duration).
 * Prints "ready" on stderr once every partition has reached its end once (fetchers are running),
 * then one JSON line on stdout: {"records","bytes","seconds","passes","cpu"[,"e2e":{n,p50,p99,p999,max}]}
 * --e2e reads a CLOCK_MONOTONIC ns timestamp from the first 8 payload bytes (rk-producer --embed-ts)
 * and reports send-to-receive latency in microseconds.
 */
#include <librdkafka/rdkafka.h>
#include <signal.h>

#include "common.h"

static volatile sig_atomic_t stop;
static void on_signal(int sig) {
  (void)sig;
  stop = 1;
}

static void die(const char *what, const char *why) {
  fprintf(stderr, "rk-consumer: %s: %s\n", what, why);
  exit(1);
}

static void seek_to(rd_kafka_t *rk, const char *topic, int partition, int64_t offset) {
  rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(l, topic, partition)->offset = offset;
  rd_kafka_error_t *se = rd_kafka_seek_partitions(rk, l, 0);
  if (se) die("seek", rd_kafka_error_string(se));
  rd_kafka_topic_partition_list_destroy(l);
}

int main(int argc, char **argv) {
  const char *bootstrap = arg(argc, argv, "--bootstrap", "127.0.0.1:9092");
  const char *topic = arg(argc, argv, "--topic", "bench");
  int partitions = atoi(arg(argc, argv, "--partitions", "1"));
  const char *start = arg(argc, argv, "--start", "beginning");
  double seconds = atof(arg(argc, argv, "--seconds", "0"));
  int64_t count = atoll(arg(argc, argv, "--count", "0"));
  int loop = flag(argc, argv, "--loop");
  int e2e = flag(argc, argv, "--e2e");
  int64_t warmup_ns = atoll(arg(argc, argv, "--warmup-ms", "500")) * 1000000LL;
  int follow = !strcmp(start, "end");

  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);

  char err[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
#define SET(k, v) \
  if (rd_kafka_conf_set(conf, k, v, err, sizeof(err)) != RD_KAFKA_CONF_OK) die(k, err)
  SET("bootstrap.servers", bootstrap);
  SET("group.id", "brook-bench");
  SET("enable.partition.eof", "true");
  SET("enable.auto.commit", "false");
  SET("enable.auto.offset.store", "false");
  /* A consumer that falls behind the mock cluster (which evicts beyond ~5 MB per partition) skips
   * to the oldest retained record and keeps reading. */
  SET("auto.offset.reset", "earliest");
  /* Looping never wants a long poll at the end of the log: the mock cluster answers an empty
   * fetch only after fetch.wait.max.ms and cannot cut the wait short. */
  SET("fetch.wait.max.ms", arg(argc, argv, "--fetch-wait-ms", loop ? "1" : "500"));
  SET("client.id", "brook-bench-consumer");
  for (int i = 1; i < argc - 1; i++) {
    if (strcmp(argv[i], "--set")) continue;
    char kv[512];
    snprintf(kv, sizeof(kv), "%s", argv[i + 1]);
    char *eq = strchr(kv, '=');
    if (!eq) die("--set", "expected key=value");
    *eq = 0;
    SET(kv, eq + 1);
  }
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
  if (!rk) die("rd_kafka_new", err);
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_resp_err_t e;

  /* Start (and loop back to) each partition's log start offset: the mock keeps only the tail. */
  int64_t *lo = calloc((size_t)partitions, sizeof(int64_t)), *hi = calloc((size_t)partitions, sizeof(int64_t));
  for (int p = 0; p < partitions && !follow; p++) {
    e = rd_kafka_query_watermark_offsets(rk, topic, p, &lo[p], &hi[p], 10000);
    if (e) die("watermarks", rd_kafka_err2str(e));
  }
  rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; p++)
    rd_kafka_topic_partition_list_add(parts, topic, p)->offset = follow ? RD_KAFKA_OFFSET_END : lo[p];
  e = rd_kafka_assign(rk, parts);
  if (e) die("assign", rd_kafka_err2str(e));

  char *eof_seen = calloc((size_t)partitions, 1);
  int eof_parts = 0, ready = 0;
  int64_t t_end = 0, loops = 0, records = 0, bytes = 0, passes = 0, t0 = now_ns(), t_first = 0, t_last = t0;
  int64_t idle_deadline = t0 + 30000000000LL;
  samples_t lat = {0};
  double cpu0 = 0;
  if (follow) t_first = 0;

  while (!stop) {
    rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
    int64_t now = now_ns();
    if (!m) {
      if (!ready && now > idle_deadline) die("consume", "no progress for 30 s");
      if (seconds > 0 && t_first && now - t_first >= (int64_t)(seconds * 1e9)) {
        t_end = now;
        break;
      }
      continue;
    }
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      int p = m->partition;
      if (p >= 0 && p < partitions && !eof_seen[p]) {
        eof_seen[p] = 1;
        if (++eof_parts == partitions) {
          passes++;
          if (!ready) {
            ready = 1;
            fprintf(stderr, "ready\n");
            fflush(stderr);
          }
          if (!loop && !follow && seconds <= 0 && count <= 0) {
            rd_kafka_message_destroy(m);
            break;
          }
          if (loop) memset(eof_seen, 0, (size_t)partitions), eof_parts = 0;
        }
      }
      if (loop && p >= 0 && p < partitions) seek_to(rk, topic, p, lo[p]);
      rd_kafka_message_destroy(m);
      continue;
    }
    if (m->err) {
      rd_kafka_resp_err_t me = m->err;
      fprintf(stderr, "rk-consumer: %s\n", rd_kafka_message_errstr(m));
      rd_kafka_message_destroy(m);
      if (me == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) break;
      continue;
    }
    if (!t_first) t_first = now, cpu0 = self_cpu_seconds();
    t_last = now;
    records++;
    bytes += (int64_t)m->len;
    if (e2e && m->len >= 8 && now - t_first >= warmup_ns) {
      int64_t ts;
      memcpy(&ts, m->payload, 8);
      samples_push(&lat, (now - ts) / 1000);
    }
    /* Loop back as soon as the last preloaded record arrives, before the fetcher idles at the end. */
    if (loop && m->partition >= 0 && m->partition < partitions && m->offset >= hi[m->partition] - 1)
      seek_to(rk, topic, m->partition, lo[m->partition]), loops++;
    rd_kafka_message_destroy(m);
    if (count > 0 && records >= count) break;
    if (seconds > 0 && now - t_first >= (int64_t)(seconds * 1e9)) {
      t_end = now;
      break;
    }
  }
  if (stop && t_first) t_end = now_ns();

  /* Reading time: from the first record to the end of the --seconds window (or to the last record
   * when the run ended on --count or at the end of the log). */
  double secs = t_first ? (double)((t_end ? t_end : t_last) - t_first) / 1e9 : 0;
  printf("{\"records\":%lld,\"bytes\":%lld,\"seconds\":%.6f,\"passes\":%lld,\"cpu\":%.3f", (long long)records,
         (long long)bytes, secs, (long long)(passes + loops / partitions), t_first ? self_cpu_seconds() - cpu0 : 0.0);
  print_latency("e2e", &lat);
  printf("}\n");
  fflush(stdout);
  rd_kafka_topic_partition_list_destroy(parts);
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return 0;
}
