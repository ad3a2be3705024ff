import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProducerIdManager } from '../src/state/producer-ids.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('ProducerIdManager', () => {
  it('never reuses ids across reopen of the same data dir', () => {
    const dir = mkdtempSync(join(tmpdir(), 'brook-pid-'));
    dirs.push(dir);
    const a = ProducerIdManager.open(dir, 10);
    const first = [a.nextId(), a.nextId(), a.nextId()];
    expect(first).toEqual([0n, 1n, 2n]);
    const b = ProducerIdManager.open(dir, 10);
    const next = b.nextId();
    expect(next).toBe(10n);
    for (let i = 0; i < 15; i++) b.nextId();
    expect(ProducerIdManager.open(dir, 10).nextId()).toBe(30n);
  });

  it('answers InitProducerId: new id, KIP-360 bump, fencing, invalid pairs', () => {
    const m = ProducerIdManager.open(null);
    expect(m.initProducerId(-1n, -1)).toEqual({ producerId: 0n, producerEpoch: 0 });
    expect(m.initProducerId(0n, 0)).toEqual({ producerId: 0n, producerEpoch: 1 });
    expect(m.initProducerId(0n, 0)).toEqual({ error: 'producer-fenced' });
    expect(m.initProducerId(0n, 1)).toEqual({ producerId: 0n, producerEpoch: 2 });
    expect(m.initProducerId(-1n, 3)).toEqual({ error: 'invalid-request' });
    expect(m.initProducerId(5n, -1)).toEqual({ error: 'invalid-request' });
    // Never issued here: a fresh id.
    expect(m.initProducerId(999n, 4)).toEqual({ producerId: 1n, producerEpoch: 0 });
    // Epoch exhausted: a fresh id.
    expect(m.initProducerId(1n, 32766)).toEqual({ producerId: 2n, producerEpoch: 0 });
  });
});
