/* Shared helpers for the Brook bench librdkafka tools. */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* CPU seconds (user+system, all threads) this process has used. */
static inline double self_cpu_seconds(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static inline int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y ? 1 : 0;
}

/* Growable array of int64 samples (microseconds). */
typedef struct {
  int64_t *v;
  size_t n, cap;
} samples_t;

static inline void samples_push(samples_t *s, int64_t x) {
  if (s->n == s->cap) {
    s->cap = s->cap ? s->cap * 2 : 65536;
    s->v = realloc(s->v, s->cap * sizeof(int64_t));
    if (!s->v) {
      fprintf(stderr, "out of memory\n");
      exit(2);
    }
  }
  s->v[s->n++] = x;
}

static inline int64_t pct(const samples_t *s, double p) {
  if (!s->n) return -1;
  size_t i = (size_t)(p * (double)(s->n - 1) + 0.5);
  if (i >= s->n) i = s->n - 1;
  return s->v[i];
}

/* Prints ,"<name>":{"n":..,"p50":..,"p99":..,"p999":..,"max":..} in microseconds. */
static inline void print_latency(const char *name, samples_t *s) {
  if (!s->n) return;
  qsort(s->v, s->n, sizeof(int64_t), cmp_i64);
  printf(",\"%s\":{\"n\":%zu,\"p50\":%lld,\"p99\":%lld,\"p999\":%lld,\"max\":%lld}", name, s->n,
         (long long)pct(s, 0.50), (long long)pct(s, 0.99), (long long)pct(s, 0.999), (long long)s->v[s->n - 1]);
}

/* --name value argument lookup. */
static inline const char *arg(int argc, char **argv, const char *name, const char *def) {
  for (int i = 1; i < argc - 1; i++)
    if (!strcmp(argv[i], name)) return argv[i + 1];
  return def;
}
static inline int flag(int argc, char **argv, const char *name) {
  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], name)) return 1;
  return 0;
}

#endif
