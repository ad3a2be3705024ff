// Deletes topics and their data, by name (v0-6) or by topic id (v6), and every group's committed
// offsets of them (tombstones in __consumer_offsets), as Kafka does.
// Versions 0-6 (flexible from 4). Errors per topic: UNKNOWN_TOPIC_OR_PARTITION, UNKNOWN_TOPIC_ID,
// TOPIC_DELETION_DISABLED (INVALID_REQUEST before v3), INVALID_REQUEST (both name and id, internal topic).
import { DeleteTopicsRequest, DeleteTopicsResponse, ErrorCode, ZERO_UUID } from '@brook/protocol';
import { BrokerError, toBrokerError } from '../errors.js';
import { defineHandler } from '../handler.js';

type Result = DeleteTopicsResponse['responses'][number];

export const deleteTopics = defineHandler(
  DeleteTopicsRequest,
  DeleteTopicsResponse,
  { min: 0, max: 6 },
  async (req, ctx) => {
    const b = ctx.broker;
    const wanted =
      ctx.apiVersion >= 6
        ? (req.topics ?? []).map((t) => ({ name: t.name ?? null, topicId: t.topicId }))
        : (req.topicNames ?? []).map((name) => ({ name: name as string | null, topicId: ZERO_UUID }));
    const responses: Result[] = [];
    for (const w of wanted) {
      const r: Result = { name: w.name, topicId: w.topicId, errorCode: ErrorCode.NONE, errorMessage: null };
      responses.push(r);
      try {
        if (w.name !== null && w.topicId !== ZERO_UUID) {
          throw new BrokerError(ErrorCode.INVALID_REQUEST, 'You may not specify both topic name and topic id.');
        }
        const t = w.name !== null ? b.topics.get(w.name) : b.topics.getById(w.topicId);
        if (!t) {
          throw w.name !== null
            ? new BrokerError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.')
            : new BrokerError(ErrorCode.UNKNOWN_TOPIC_ID, 'This server does not host this topic ID.');
        }
        r.name = t.name;
        r.topicId = t.topicId;
        if (t.internal) throw new BrokerError(ErrorCode.INVALID_REQUEST, `Cannot delete internal topic ${t.name}.`);
        await b.deleteTopic(t.name);
      } catch (caught) {
        const e = toBrokerError(caught, ctx.log, 'delete topic');
        r.errorCode =
          e.code === ErrorCode.TOPIC_DELETION_DISABLED && ctx.apiVersion < 3 ? ErrorCode.INVALID_REQUEST : e.code;
        r.errorMessage = e.message;
      }
      if (ctx.apiVersion < 6) r.topicId = ZERO_UUID;
    }
    return { throttleTimeMs: 0, responses };
  },
);
