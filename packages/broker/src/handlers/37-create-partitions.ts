// Adds partitions to existing topics (or only validates the change).
// Versions 0-3 (flexible from 2). Errors per topic: INVALID_PARTITIONS (not an increase),
// UNKNOWN_TOPIC_OR_PARTITION, INVALID_REPLICA_ASSIGNMENT, INVALID_REQUEST (duplicate topics).
import { CreatePartitionsRequest, CreatePartitionsResponse, ErrorCode } from '@brook/protocol';
import { BrokerError, toBrokerError } from '../errors.js';
import { defineHandler } from '../handler.js';

type Result = CreatePartitionsResponse['results'][number];

export const createPartitions = defineHandler(
  CreatePartitionsRequest,
  CreatePartitionsResponse,
  { min: 0, max: 3 },
  async (req, ctx) => {
    const b = ctx.broker;
    const counts = new Map<string, number>();
    for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const results: Result[] = [];
    for (const t of req.topics) {
      const r: Result = { name: t.name, errorCode: ErrorCode.NONE, errorMessage: null };
      results.push(r);
      try {
        if ((counts.get(t.name) ?? 0) > 1)
          throw new BrokerError(ErrorCode.INVALID_REQUEST, 'Duplicate topic in request.');
        const info = b.topics.get(t.name);
        if (!info) throw new BrokerError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${t.name}' does not exist.`);
        if (t.assignments !== null && t.count > info.partitions) {
          const added = t.count - info.partitions;
          if (t.assignments.length !== added) {
            throw new BrokerError(
              ErrorCode.INVALID_REPLICA_ASSIGNMENT,
              `Increasing the number of partitions by ${added} but ${t.assignments.length} assignments provided.`,
            );
          }
          for (const a of t.assignments) {
            if (a.brokerIds.length !== 1 || a.brokerIds[0] !== b.nodeId) {
              throw new BrokerError(
                ErrorCode.INVALID_REPLICA_ASSIGNMENT,
                `Invalid replica assignment [${a.brokerIds.join(', ')}]: only broker ${b.nodeId} exists and the replication factor is 1.`,
              );
            }
          }
        }
        await b.topics.createPartitions(t.name, t.count, req.validateOnly);
      } catch (caught) {
        const e = toBrokerError(caught, ctx.log, 'create partitions');
        r.errorCode = e.code;
        r.errorMessage = e.message;
      }
    }
    return { throttleTimeMs: 0, results };
  },
);
