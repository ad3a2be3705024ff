// The clientHost Kafka reports for group members ("/" + the client's IP). The core's
// RequestContext does not carry the peer address yet; use it when it does.
import type { RequestContext } from '../../handler.js';

export function clientHostOf(ctx: RequestContext): string {
  const addr = (ctx as { clientAddress?: string }).clientAddress;
  return `/${addr ?? '127.0.0.1'}`;
}
