// Reports the one log dir (the data dir) with the size of each requested partition (null = all),
// and, v4+, the file system's total/usable bytes. Versions 0-4 (flexible from 2).
// Errors: KAFKA_STORAGE_ERROR in the dir result if statfs fails; unknown partitions are omitted.
import { statfs } from 'node:fs/promises';
import { DescribeLogDirsRequest, DescribeLogDirsResponse, ErrorCode } from '@brook/protocol';
import { defineHandler } from '../handler.js';

type TopicOut = DescribeLogDirsResponse['results'][number]['topics'][number];

export const describeLogDirs = defineHandler(
  DescribeLogDirsRequest,
  DescribeLogDirsResponse,
  { min: 0, max: 4 },
  async (req, ctx) => {
    const b = ctx.broker;
    const wanted =
      req.topics === null
        ? b.topics.list().map((t) => ({ topic: t.name, partitions: [...Array(t.partitions).keys()] }))
        : req.topics;
    const topics: TopicOut[] = [];
    for (const w of wanted) {
      const t = b.topics.get(w.topic);
      if (!t) continue;
      const partitions = w.partitions
        .filter((p) => p >= 0 && p < t.partitions)
        .map((p) => ({
          partitionIndex: p,
          partitionSize: BigInt(b.logs.get(t.name, p)?.sizeInBytes ?? 0),
          offsetLag: 0n,
          isFutureKey: false,
        }));
      if (partitions.length > 0) topics.push({ name: t.name, partitions });
    }
    let errorCode: number = ErrorCode.NONE;
    let totalBytes = -1n;
    let usableBytes = -1n;
    if (b.dataDir !== null) {
      try {
        const s = await statfs(b.dataDir, { bigint: true });
        totalBytes = s.blocks * s.bsize;
        usableBytes = s.bavail * s.bsize;
      } catch (e) {
        ctx.log.warn({ err: e }, 'statfs of the data dir failed');
        errorCode = ErrorCode.KAFKA_STORAGE_ERROR;
      }
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      results: [{ errorCode, logDir: b.dataDir ?? '(memory)', topics, totalBytes, usableBytes }],
    };
  },
);
