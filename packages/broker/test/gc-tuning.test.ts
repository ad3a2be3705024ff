import { describe, expect, it } from 'vitest';
import { tuneServerGc } from '../src/gc-tuning.js';

describe('tuneServerGc', () => {
  it('leaves a growing factor the operator chose alone', () => {
    expect(tuneServerGc({ NODE_OPTIONS: '--max-old-space-size=512 --heap_growing_percent=50' })).toBe(false);
    expect(tuneServerGc({ NODE_OPTIONS: '--heap-growing-percent=50' })).toBe(false);
  });

  it('applies otherwise', () => {
    expect(tuneServerGc({})).toBe(true);
  });
});
