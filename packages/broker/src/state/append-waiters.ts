// Long-poll support for Fetch: a waiting request parks on the partitions it reads and wakes on the first
// append to any of them, or at its deadline. Each partition has one append subscription shared by all
// waiters (made on first use, dropped when nobody waits), and each waiting request has one timer.

/** The part of a partition log a waiter needs (PartitionLog.onAppend). */
export interface AppendSource {
  onAppend(listener: () => void): () => void;
}

interface Waiter {
  sources: AppendSource[];
  wake: (appended: boolean) => void;
}

interface Slot {
  unsubscribe: () => void;
  waiters: Set<Waiter>;
}

export class AppendWaiters {
  private readonly slots = new Map<AppendSource, Slot>();
  private readonly all = new Set<Waiter>();
  private closed = false;

  /** Number of partitions with a live append subscription (tests, metrics). */
  get subscribedPartitions(): number {
    return this.slots.size;
  }

  get waiting(): number {
    return this.all.size;
  }

  /**
   * Resolves true on the first append to any source, false when `timeoutMs` passes, `signal` aborts
   * or the registry closes. A non-positive timeout resolves false at once.
   */
  wait(sources: Iterable<AppendSource>, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    const list = [...new Set(sources)];
    if (this.closed || timeoutMs <= 0 || list.length === 0 || signal?.aborted) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => waiter.wake(false);
      const waiter: Waiter = {
        sources: list,
        wake: (appended) => {
          if (!this.all.delete(waiter)) return;
          if (timer) clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          for (const source of list) this.leave(source, waiter);
          resolve(appended);
        },
      };
      this.all.add(waiter);
      for (const source of list) this.join(source, waiter);
      timer = setTimeout(() => waiter.wake(false), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Wakes every waiter (they re-read and answer) and refuses new waits: broker shutdown. */
  close(): void {
    this.closed = true;
    for (const waiter of [...this.all]) waiter.wake(false);
  }

  private join(source: AppendSource, waiter: Waiter): void {
    let slot = this.slots.get(source);
    if (!slot) {
      const waiters = new Set<Waiter>();
      const unsubscribe = source.onAppend(() => {
        // Copy first: waking removes waiters from this very set.
        for (const w of [...waiters]) w.wake(true);
      });
      slot = { unsubscribe, waiters };
      this.slots.set(source, slot);
    }
    slot.waiters.add(waiter);
  }

  private leave(source: AppendSource, waiter: Waiter): void {
    const slot = this.slots.get(source);
    if (!slot) return;
    slot.waiters.delete(waiter);
    if (slot.waiters.size === 0) {
      slot.unsubscribe();
      this.slots.delete(source);
    }
  }
}
