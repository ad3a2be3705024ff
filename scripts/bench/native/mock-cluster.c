/*
 * mock-cluster: librdkafka's in-memory mock Kafka cluster in a process of its own.
 *
 *   mock-cluster [--brokers 1] [--topic NAME --partitions N]...
 *
 * Prints "bootstrap=<host:port,...>" once listening, then reads commands on stdin:
 *   create <topic> <partitions>   -> prints "created <topic>"
 * Runs until SIGTERM/SIGINT or stdin EOF. The mock keeps about 5 MB (and at most 100k
 * message sets) per partition in memory, never writes to disk and leaves Nagle on.
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <unistd.h>

#include "common.h"

/* Nothing to flush or persist: exit at once (a blocking read of stdin would otherwise be restarted). */
static void on_signal(int sig) {
  (void)sig;
  _exit(0);
}

int main(int argc, char **argv) {
  char err[512];
  int brokers = atoi(arg(argc, argv, "--brokers", "1"));
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof(err));
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  if (!rk) {
    fprintf(stderr, "mock-cluster: %s\n", err);
    return 1;
  }
  rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers);
  if (!mc) {
    fprintf(stderr, "mock-cluster: rd_kafka_mock_cluster_new failed\n");
    return 1;
  }
  for (int i = 1; i < argc - 1; i++) {
    if (strcmp(argv[i], "--topic")) continue;
    int n = i + 3 < argc && !strcmp(argv[i + 2], "--partitions") ? atoi(argv[i + 3]) : 1;
    rd_kafka_mock_topic_create(mc, argv[i + 1], n, 1);
  }
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  printf("bootstrap=%s\n", rd_kafka_mock_cluster_bootstraps(mc));
  fflush(stdout);

  char line[512];
  while (fgets(line, sizeof(line), stdin)) {
    char topic[256];
    int n;
    if (sscanf(line, "create %255s %d", topic, &n) == 2) {
      rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(mc, topic, n, 1);
      if (e)
        printf("error %s %s\n", topic, rd_kafka_err2str(e));
      else
        printf("created %s\n", topic);
      fflush(stdout);
    }
  }
  /* stdin closed: keep serving until signalled. */
  for (;;) pause();
}
