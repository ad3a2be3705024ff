import { describe, expect, it } from 'vitest';
import { type AppendSource, AppendWaiters } from '../src/state/append-waiters.js';

class FakeLog implements AppendSource {
  listeners = new Set<() => void>();
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  append(): void {
    for (const l of [...this.listeners]) l();
  }
}

describe('AppendWaiters', () => {
  it('wakes on an append and shares one subscription per partition', async () => {
    const waiters = new AppendWaiters();
    const a = new FakeLog();
    const b = new FakeLog();
    const w1 = waiters.wait([a, b], 10_000);
    const w2 = waiters.wait([a], 10_000);
    expect(a.listeners.size).toBe(1);
    expect(waiters.subscribedPartitions).toBe(2);
    a.append();
    await expect(w1).resolves.toBe(true);
    await expect(w2).resolves.toBe(true);
    expect(a.listeners.size + b.listeners.size).toBe(0);
    expect(waiters.waiting).toBe(0);
  });

  it('times out, aborts, and closes', async () => {
    const waiters = new AppendWaiters();
    const a = new FakeLog();
    await expect(waiters.wait([a], 20)).resolves.toBe(false);
    await expect(waiters.wait([a], 0)).resolves.toBe(false);
    const ac = new AbortController();
    const aborted = waiters.wait([a], 10_000, ac.signal);
    ac.abort();
    await expect(aborted).resolves.toBe(false);
    const pending = waiters.wait([a], 10_000);
    waiters.close();
    await expect(pending).resolves.toBe(false);
    expect(a.listeners.size).toBe(0);
    await expect(waiters.wait([a], 10_000)).resolves.toBe(false);
  });
});
