import { describe, expect, it } from 'vitest';
import { GroupError } from '../src/state/groups/errors.js';
import { Group, type GroupConfig, type JoinRequest, silentLogger } from '../src/state/groups/group.js';
import { FakeClock, joinRequest } from './groups-fake-clock.js';

const cfg: GroupConfig = { initialRebalanceDelayMs: 100, minSessionTimeoutMs: 6000, maxSessionTimeoutMs: 1_800_000 };

function setup(config: Partial<GroupConfig> = {}) {
  const clock = new FakeClock();
  let stores = 0;
  const group = new Group('g', {
    clock,
    config: { ...cfg, ...config },
    log: silentLogger,
    storeGroup: () => {
      stores++;
    },
  });
  return { clock, group, stores: () => stores };
}

const meta = (s: string) => Buffer.from(s);

const req = (over: Partial<JoinRequest> = {}): JoinRequest => joinRequest(meta('m'), over);

/** Tracks whether a promise has settled, without awaiting it. */
function track<T>(p: Promise<T>): { value: T | undefined; done: () => boolean } {
  const t: { value: T | undefined; settled: boolean } = { value: undefined, settled: false };
  p.then((v) => {
    t.value = v;
    t.settled = true;
  });
  return {
    get value() {
      return t.value;
    },
    done: () => t.settled,
  };
}

const flush = () => new Promise((r) => setImmediate(r));

/** Joins n members and drives the group to Stable; returns their join results. */
async function stableGroup(n: number) {
  const s = setup();
  const joins = Array.from({ length: n }, (_, i) => track(s.group.join(req({ clientId: `c${i}` }))));
  s.clock.advance(300);
  await flush();
  const results = joins.map((j) => j.value!);
  const leader = results.find((r) => r.memberId === r.leader)!;
  const syncs = results.map((r) =>
    track(
      s.group.sync({
        memberId: r.memberId,
        groupInstanceId: null,
        generationId: r.generationId,
        protocolType: 'consumer',
        protocolName: 'range',
        assignments:
          r.memberId === leader.memberId
            ? results.map((x) => ({ memberId: x.memberId, assignment: meta(`a-${x.memberId}`) }))
            : [],
      }),
    ),
  );
  await flush();
  return { ...s, results, leader, syncs };
}

describe('group state machine: join', () => {
  it('v4+: first join gets MEMBER_ID_REQUIRED, the second join completes after the initial delay', async () => {
    const { clock, group } = setup();
    const first = await group.join(req({ requireKnownMemberId: true }));
    expect(first.errorCode).toBe(GroupError.MEMBER_ID_REQUIRED);
    expect(first.memberId).toMatch(/^client-/);
    expect(group.pendingMembers.has(first.memberId)).toBe(true);
    const j = track(group.join(req({ memberId: first.memberId, requireKnownMemberId: true })));
    expect(group.state).toBe('PreparingRebalance');
    clock.advance(99);
    await flush();
    expect(j.done()).toBe(false);
    clock.advance(1);
    await flush();
    expect(j.value).toMatchObject({
      errorCode: 0,
      generationId: 1,
      protocolName: 'range',
      protocolType: 'consumer',
      leader: first.memberId,
      memberId: first.memberId,
    });
    expect(j.value!.members).toEqual([{ memberId: first.memberId, groupInstanceId: null, metadata: meta('m') }]);
    expect(group.state).toBe('CompletingRebalance');
  });

  it('initial delay is extended while members keep arriving, bounded by the rebalance timeout', async () => {
    const { clock, group } = setup({ initialRebalanceDelayMs: 100 });
    const a = track(group.join(req({ rebalanceTimeoutMs: 250 })));
    clock.advance(90);
    const b = track(group.join(req({ rebalanceTimeoutMs: 250 })));
    clock.advance(10); // first delay ends; a new member arrived → wait another delay
    await flush();
    expect(a.done()).toBe(false);
    clock.advance(60);
    track(group.join(req({ rebalanceTimeoutMs: 250 })));
    clock.advance(40); // second delay ends, another member came → last (bounded) delay of 50
    await flush();
    expect(a.done()).toBe(false);
    clock.advance(50);
    await flush();
    expect(a.value!.generationId).toBe(1);
    expect(b.value!.generationId).toBe(1);
    expect(group.members.size).toBe(3);
  });

  it('rejects session timeouts outside the configured range', async () => {
    const { group } = setup();
    expect((await group.join(req({ sessionTimeoutMs: 5999 }))).errorCode).toBe(GroupError.INVALID_SESSION_TIMEOUT);
    expect((await group.join(req({ sessionTimeoutMs: 1_800_001 }))).errorCode).toBe(GroupError.INVALID_SESSION_TIMEOUT);
  });

  it('rejects inconsistent protocol type or protocols with nothing in common', async () => {
    const { group } = await stableGroup(1);
    expect((await group.join(req({ protocolType: 'connect' }))).errorCode).toBe(GroupError.INCONSISTENT_GROUP_PROTOCOL);
    expect((await group.join(req({ protocols: [{ name: 'x', metadata: meta('') }] }))).errorCode).toBe(
      GroupError.INCONSISTENT_GROUP_PROTOCOL,
    );
    expect((await setup().group.join(req({ protocols: [] }))).errorCode).toBe(GroupError.INCONSISTENT_GROUP_PROTOCOL);
  });

  it('chooses the protocol by vote among those every member supports', async () => {
    const { clock, group } = setup();
    const p = (...names: string[]) => names.map((name) => ({ name, metadata: meta(name) }));
    const a = track(group.join(req({ protocols: p('range', 'roundrobin', 'sticky') })));
    const b = track(group.join(req({ protocols: p('roundrobin', 'range') })));
    const c = track(group.join(req({ protocols: p('roundrobin', 'range', 'sticky') })));
    clock.advance(300);
    await flush();
    expect(group.protocolName).toBe('roundrobin');
    expect(a.value!.protocolName).toBe('roundrobin');
    // The leader receives every member's metadata for the chosen protocol; followers none.
    expect(a.value!.members.map((m) => m.metadata.toString())).toEqual(['roundrobin', 'roundrobin', 'roundrobin']);
    expect(b.value!.members).toEqual([]);
    expect(c.value!.members).toEqual([]);
  });

  it('group.max.size: a member beyond it gets GROUP_MAX_SIZE_REACHED', async () => {
    const { group } = setup({ maxSize: 1 });
    track(group.join(req()));
    expect((await group.join(req())).errorCode).toBe(GroupError.GROUP_MAX_SIZE_REACHED);
    expect(group.members.size).toBe(1);
  });

  it('unknown member id on an existing group gives UNKNOWN_MEMBER_ID', async () => {
    const { group } = await stableGroup(1);
    expect((await group.join(req({ memberId: 'nope' }))).errorCode).toBe(GroupError.UNKNOWN_MEMBER_ID);
  });

  it('a follower rejoining a Stable group with the same metadata gets the current generation, no rebalance', async () => {
    const { group, results, leader } = await stableGroup(2);
    const follower = results.find((r) => r.memberId !== leader.memberId)!;
    const r = await group.join(req({ memberId: follower.memberId }));
    expect(r).toMatchObject({ errorCode: 0, generationId: 1, leader: leader.memberId, members: [] });
    expect(group.state).toBe('Stable');
  });

  it('the leader rejoining a Stable group triggers a rebalance', async () => {
    const { group, leader, results, clock } = await stableGroup(2);
    const lj = track(group.join(req({ memberId: leader.memberId })));
    expect(group.state).toBe('PreparingRebalance');
    const other = results.find((r) => r.memberId !== leader.memberId)!;
    expect(group.heartbeat(other.memberId, null, 1)).toBe(GroupError.REBALANCE_IN_PROGRESS);
    const oj = track(group.join(req({ memberId: other.memberId })));
    await flush();
    expect(lj.value!.generationId).toBe(2);
    expect(oj.value!.generationId).toBe(2);
    expect(group.state).toBe('CompletingRebalance');
    clock.advance(0);
  });

  it('a dead group answers COORDINATOR_NOT_AVAILABLE', async () => {
    const { group } = setup();
    group.markDead();
    expect((await group.join(req())).errorCode).toBe(GroupError.COORDINATOR_NOT_AVAILABLE);
    expect(group.heartbeat('x', null, 0)).toBe(GroupError.COORDINATOR_NOT_AVAILABLE);
    expect(
      (
        await group.sync({
          memberId: 'x',
          groupInstanceId: null,
          generationId: 0,
          protocolType: null,
          protocolName: null,
          assignments: [],
        })
      ).errorCode,
    ).toBe(GroupError.COORDINATOR_NOT_AVAILABLE);
  });
});

describe('group state machine: sync', () => {
  it('followers wait for the leader; everyone gets their assignment; the group becomes Stable and is stored', async () => {
    const s = setup();
    const a = track(s.group.join(req()));
    const b = track(s.group.join(req()));
    s.clock.advance(300);
    await flush();
    const leader = a.value!.leader === a.value!.memberId ? a.value! : b.value!;
    const follower = leader === a.value ? b.value! : a.value!;
    const fs = track(
      s.group.sync({
        memberId: follower.memberId,
        groupInstanceId: null,
        generationId: 1,
        protocolType: 'consumer',
        protocolName: 'range',
        assignments: [],
      }),
    );
    await flush();
    expect(fs.done()).toBe(false);
    expect(s.group.heartbeat(follower.memberId, null, 1)).toBe(GroupError.NONE); // allowed in CompletingRebalance
    const ls = await s.group.sync({
      memberId: leader.memberId,
      groupInstanceId: null,
      generationId: 1,
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: [
        { memberId: leader.memberId, assignment: meta('L') },
        { memberId: follower.memberId, assignment: meta('F') },
      ],
    });
    await flush();
    expect(ls).toMatchObject({ errorCode: 0, protocolType: 'consumer', protocolName: 'range' });
    expect(ls.assignment.toString()).toBe('L');
    expect(fs.value!.assignment.toString()).toBe('F');
    expect(s.group.state).toBe('Stable');
    expect(s.stores()).toBe(1);
    // In Stable, a late SyncGroup just returns the member's assignment.
    const again = await s.group.sync({
      memberId: follower.memberId,
      groupInstanceId: null,
      generationId: 1,
      protocolType: null,
      protocolName: null,
      assignments: [],
    });
    expect(again.assignment.toString()).toBe('F');
  });

  it('returns ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, INCONSISTENT_GROUP_PROTOCOL and REBALANCE_IN_PROGRESS', async () => {
    const { group, leader } = await stableGroup(1);
    const base = {
      memberId: leader.memberId,
      groupInstanceId: null,
      generationId: 1,
      protocolType: null,
      protocolName: null,
      assignments: [],
    };
    expect((await group.sync({ ...base, generationId: 7 })).errorCode).toBe(GroupError.ILLEGAL_GENERATION);
    expect((await group.sync({ ...base, memberId: 'x' })).errorCode).toBe(GroupError.UNKNOWN_MEMBER_ID);
    expect((await group.sync({ ...base, protocolName: 'roundrobin' })).errorCode).toBe(
      GroupError.INCONSISTENT_GROUP_PROTOCOL,
    );
    expect((await group.sync({ ...base, protocolType: 'connect' })).errorCode).toBe(
      GroupError.INCONSISTENT_GROUP_PROTOCOL,
    );
    track(group.join(req()));
    expect(group.state).toBe('PreparingRebalance');
    expect((await group.sync(base)).errorCode).toBe(GroupError.REBALANCE_IN_PROGRESS);
  });

  it('a join during CompletingRebalance fails pending syncs with REBALANCE_IN_PROGRESS', async () => {
    const s = setup();
    const a = track(s.group.join(req()));
    const b = track(s.group.join(req()));
    s.clock.advance(300);
    await flush();
    const follower = a.value!.leader === a.value!.memberId ? b.value! : a.value!;
    const fs = track(
      s.group.sync({
        memberId: follower.memberId,
        groupInstanceId: null,
        generationId: 1,
        protocolType: null,
        protocolName: null,
        assignments: [],
      }),
    );
    track(s.group.join(req()));
    await flush();
    expect(fs.value!.errorCode).toBe(GroupError.REBALANCE_IN_PROGRESS);
    expect(s.group.state).toBe('PreparingRebalance');
  });

  it('members that never send SyncGroup are removed after the rebalance timeout', async () => {
    const s = setup();
    const a = track(s.group.join(req({ rebalanceTimeoutMs: 20_000 })));
    const b = track(s.group.join(req({ rebalanceTimeoutMs: 20_000 })));
    s.clock.advance(300);
    await flush();
    const leader = a.value!.leader === a.value!.memberId ? a.value! : b.value!;
    const follower = leader === a.value ? b.value! : a.value!;
    const ls = track(
      s.group.sync({
        memberId: leader.memberId,
        groupInstanceId: null,
        generationId: 1,
        protocolType: null,
        protocolName: null,
        assignments: [],
      }),
    );
    await flush();
    expect(ls.value!.errorCode).toBe(0);
    // The leader keeps heartbeating; the follower never syncs.
    for (let t = 0; t < 20_000; t += 3000) {
      s.clock.advance(3000);
      s.group.heartbeat(leader.memberId, null, s.group.generationId);
    }
    expect(s.group.members.has(follower.memberId)).toBe(false);
    expect(s.group.state).toBe('PreparingRebalance');
  });
});

describe('group state machine: heartbeat, session timeout, leave', () => {
  it('heartbeat errors', async () => {
    const { group, leader } = await stableGroup(1);
    expect(group.heartbeat(leader.memberId, null, 1)).toBe(GroupError.NONE);
    expect(group.heartbeat('who', null, 1)).toBe(GroupError.UNKNOWN_MEMBER_ID);
    expect(group.heartbeat(leader.memberId, null, 0)).toBe(GroupError.ILLEGAL_GENERATION);
  });

  it('a silent member is evicted after its session timeout and the rest rebalance without it', async () => {
    const { group, clock, results, leader } = await stableGroup(2);
    const follower = results.find((r) => r.memberId !== leader.memberId)!;
    for (let i = 0; i < 3; i++) {
      clock.advance(3000);
      expect(group.heartbeat(leader.memberId, null, 1)).toBe(GroupError.NONE);
    }
    clock.advance(1000); // 10 s since the follower's last sign of life
    expect(group.members.has(follower.memberId)).toBe(false);
    expect(group.state).toBe('PreparingRebalance');
    expect(group.heartbeat(leader.memberId, null, 1)).toBe(GroupError.REBALANCE_IN_PROGRESS);
    const r = await group.join(req({ memberId: leader.memberId }));
    expect(r.generationId).toBe(2);
    expect(r.members.map((m) => m.memberId)).toEqual([leader.memberId]);
  });

  it('a member that does not rejoin within the rebalance timeout is dropped', async () => {
    const { group, clock, results, leader } = await stableGroup(2);
    const follower = results.find((r) => r.memberId !== leader.memberId)!;
    const lj = track(group.join(req({ memberId: leader.memberId })));
    // The follower stays alive (heartbeats) but never rejoins.
    for (let i = 0; i < 9; i++) {
      clock.advance(3000);
      expect(group.heartbeat(follower.memberId, null, 1)).toBe(GroupError.REBALANCE_IN_PROGRESS);
    }
    clock.advance(2999);
    await flush();
    expect(lj.done()).toBe(false);
    clock.advance(1);
    await flush();
    expect(lj.value!.generationId).toBe(2);
    expect(group.members.has(follower.memberId)).toBe(false);
  });

  it('leave: per-member errors, rebalance, and Empty when the last member goes', async () => {
    const { group, results, leader } = await stableGroup(2);
    const follower = results.find((r) => r.memberId !== leader.memberId)!;
    const res = group.leave([
      { memberId: follower.memberId, groupInstanceId: null },
      { memberId: 'ghost', groupInstanceId: null },
    ]);
    expect(res.members.map((m) => m.errorCode)).toEqual([GroupError.NONE, GroupError.UNKNOWN_MEMBER_ID]);
    expect(group.state).toBe('PreparingRebalance');
    const lj = track(group.join(req({ memberId: leader.memberId })));
    await flush();
    expect(lj.value!.generationId).toBe(2);
    group.leave([{ memberId: leader.memberId, groupInstanceId: null }]);
    expect(group.state).toBe('Empty');
    expect(group.generationId).toBe(3);
  });

  it('a member leaving while others wait in PreparingRebalance lets the join complete', async () => {
    const { group, results, leader } = await stableGroup(2);
    const follower = results.find((r) => r.memberId !== leader.memberId)!;
    const lj = track(group.join(req({ memberId: leader.memberId })));
    await flush();
    expect(lj.done()).toBe(false);
    group.leave([{ memberId: follower.memberId, groupInstanceId: null }]);
    await flush();
    expect(lj.value!.generationId).toBe(2);
  });

  it('pending members (MEMBER_ID_REQUIRED) hold the join until they join, leave or expire', async () => {
    const { group, clock, leader } = await stableGroup(1);
    const pending = await group.join(req({ requireKnownMemberId: true }));
    const lj = track(group.join(req({ memberId: leader.memberId })));
    await flush();
    expect(lj.done()).toBe(false); // the pending member has not joined yet
    clock.advance(10_000); // its session timeout passes
    await flush();
    expect(group.pendingMembers.has(pending.memberId)).toBe(false);
    expect(lj.value!.generationId).toBe(2);
  });
});

describe('group state machine: static membership', () => {
  async function staticGroup() {
    const s = setup();
    const a = track(s.group.join(req({ groupInstanceId: 'i-a', requireKnownMemberId: true })));
    const b = track(s.group.join(req({ groupInstanceId: 'i-b', requireKnownMemberId: true })));
    s.clock.advance(300);
    await flush();
    const ra = a.value!;
    const rb = b.value!;
    expect(ra.errorCode).toBe(0); // static members skip MEMBER_ID_REQUIRED
    expect(ra.memberId).toMatch(/^i-a-/);
    const leader = ra.leader === ra.memberId ? ra : rb;
    const syncs = [ra, rb].map((r) =>
      track(
        s.group.sync({
          memberId: r.memberId,
          groupInstanceId: r === ra ? 'i-a' : 'i-b',
          generationId: 1,
          protocolType: null,
          protocolName: null,
          assignments:
            r === leader
              ? [
                  { memberId: ra.memberId, assignment: meta('A') },
                  { memberId: rb.memberId, assignment: meta('B') },
                ]
              : [],
        }),
      ),
    );
    await flush();
    expect(syncs.map((x) => x.value!.errorCode)).toEqual([0, 0]);
    return { ...s, ra, rb, leader };
  }

  it('a restarted static member keeps its assignment with no rebalance; the old instance is fenced', async () => {
    const { group, ra, rb, leader } = await staticGroup();
    const follower = leader === ra ? rb : ra;
    const inst = follower === ra ? 'i-a' : 'i-b';
    const r = await group.join(req({ groupInstanceId: inst }));
    expect(r).toMatchObject({ errorCode: 0, generationId: 1, leader: leader.memberId, members: [] });
    expect(r.memberId).not.toBe(follower.memberId);
    expect(group.state).toBe('Stable');
    const s = await group.sync({
      memberId: r.memberId,
      groupInstanceId: inst,
      generationId: 1,
      protocolType: null,
      protocolName: null,
      assignments: [],
    });
    expect(s.assignment.toString()).toBe(follower === ra ? 'A' : 'B');
    // The old process is fenced everywhere.
    expect(group.heartbeat(follower.memberId, inst, 1)).toBe(GroupError.FENCED_INSTANCE_ID);
    expect(group.validateCommit(follower.memberId, inst, 1)).toBe(GroupError.FENCED_INSTANCE_ID);
    expect((await group.join(req({ memberId: follower.memberId, groupInstanceId: inst }))).errorCode).toBe(
      GroupError.FENCED_INSTANCE_ID,
    );
    expect(group.leave([{ memberId: follower.memberId, groupInstanceId: inst }]).members[0]!.errorCode).toBe(
      GroupError.FENCED_INSTANCE_ID,
    );
  });

  it('a restarted static leader is told to skip assignment (old leader id, skipAssignment)', async () => {
    const { group, leader, ra } = await staticGroup();
    const inst = leader === ra ? 'i-a' : 'i-b';
    const r = await group.join(req({ groupInstanceId: inst }));
    expect(r.errorCode).toBe(0);
    expect(r.leader).toBe(leader.memberId);
    expect(r.skipAssignment).toBe(true);
    expect(r.members).toHaveLength(2);
    expect(group.leaderId).toBe(r.memberId);
    expect(group.state).toBe('Stable');
  });

  it('static members that do not rejoin keep their place; admin removal by instance id works', async () => {
    const { group, ra, rb, leader, clock } = await staticGroup();
    const other = leader === ra ? rb : ra;
    const lj = track(group.join(req({ memberId: leader.memberId, groupInstanceId: leader === ra ? 'i-a' : 'i-b' })));
    for (let i = 0; i < 10; i++) {
      clock.advance(3000);
      group.heartbeat(other.memberId, other === ra ? 'i-a' : 'i-b', 1);
    }
    await flush();
    expect(lj.value!.generationId).toBe(2);
    expect(group.members.has(other.memberId)).toBe(true);
    const res = group.leave([{ memberId: '', groupInstanceId: other === ra ? 'i-a' : 'i-b' }]);
    expect(res.members[0]!.errorCode).toBe(0);
    expect(group.members.has(other.memberId)).toBe(false);
    expect(group.leave([{ memberId: '', groupInstanceId: 'nope' }]).members[0]!.errorCode).toBe(
      GroupError.UNKNOWN_MEMBER_ID,
    );
  });

  it('a static member evicted by session timeout triggers a rebalance', async () => {
    const { group, ra, rb, leader, clock } = await staticGroup();
    const other = leader === ra ? rb : ra;
    for (let i = 0; i < 4; i++) {
      clock.advance(3000);
      group.heartbeat(leader.memberId, leader === ra ? 'i-a' : 'i-b', group.generationId);
    }
    expect(group.members.has(other.memberId)).toBe(false);
    expect(group.state).toBe('PreparingRebalance');
  });
});

describe('group state machine: commit checks', () => {
  it('standalone commits (generation -1) are allowed on an Empty group', () => {
    const { group } = setup();
    expect(group.validateCommit('', null, -1)).toBe(GroupError.NONE);
  });

  it('member commits: UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS, NONE', async () => {
    const s = setup();
    const a = track(s.group.join(req()));
    s.clock.advance(300);
    await flush();
    const id = a.value!.memberId;
    expect(s.group.validateCommit(id, null, 1)).toBe(GroupError.REBALANCE_IN_PROGRESS); // CompletingRebalance
    await s.group.sync({
      memberId: id,
      groupInstanceId: null,
      generationId: 1,
      protocolType: null,
      protocolName: null,
      assignments: [],
    });
    expect(s.group.validateCommit(id, null, 1)).toBe(GroupError.NONE);
    expect(s.group.validateCommit('x', null, 1)).toBe(GroupError.UNKNOWN_MEMBER_ID);
    expect(s.group.validateCommit('', null, -1)).toBe(GroupError.UNKNOWN_MEMBER_ID); // not standalone: group has members
    expect(s.group.validateCommit(id, null, 0)).toBe(GroupError.ILLEGAL_GENERATION);
    track(s.group.join(req()));
    expect(s.group.validateCommit(id, null, 1)).toBe(GroupError.NONE); // PreparingRebalance still accepts commits
  });
});
