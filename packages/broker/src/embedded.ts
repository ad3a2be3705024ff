// broker.reset() for test suites: drops every (non-internal) topic with its data, every consumer
// group with its offsets and every transactional id, so each test starts from an empty broker
// without paying for a restart.
import type { BrokerState } from './state/broker-state.js';

export async function resetBrokerState(state: BrokerState): Promise<void> {
  state.groups.reset();
  state.transactions.reset();
  for (const t of state.topics.list()) {
    if (state.topics.isInternal(t.name)) continue;
    await state.deleteTopic(t.name);
  }
}
