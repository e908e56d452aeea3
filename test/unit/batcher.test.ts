import { describe, expect, it } from 'vitest';
import { Batcher } from '../../src/router/batcher.js';

interface Item {
  name: string;
  holds: string[];
}

/** A batcher whose groups finish when the test says so; every group it started is recorded. */
function harness(options: { maxSize?: number; waitMs?: number; concurrency?: number } = {}) {
  const groups: string[][] = [];
  const finish: (() => void)[] = [];
  const batcher = new Batcher<Item>({
    maxSize: options.maxSize ?? 8,
    waitMs: options.waitMs ?? 0,
    concurrency: options.concurrency ?? 1,
    resources: (m) => m.holds,
    run: (group) => {
      groups.push(group.map((m) => m.name));
      return new Promise<void>((resolve) => finish.push(resolve));
    },
  });
  const item = (name: string, ...holds: string[]) => ({ name, holds });
  const settle = async () => {
    finish.shift()?.();
    await new Promise((r) => setTimeout(r, 0));
  };
  return { batcher, groups, item, settle };
}

describe('Batcher: groups of what arrives while a group runs', () => {
  it('starts at once when idle, then takes everything that came meanwhile', async () => {
    const { batcher, groups, item, settle } = harness();
    batcher.submit(item('a', 'plan:1'));
    expect(groups).toEqual([['a']]);
    for (const n of [2, 3, 4]) batcher.submit(item(`m${n}`, `plan:${n}`));
    expect(groups).toHaveLength(1);
    await settle();
    expect(groups).toEqual([['a'], ['m2', 'm3', 'm4']]);
  });

  it('keeps members sharing a resource apart, in arrival order, and holds back what shares with a waiting one', async () => {
    const { batcher, groups, item, settle } = harness();
    batcher.submit(item('first', 'plan:0'));
    batcher.submit(item('p1', 'plan:1', 'asset:A'));
    batcher.submit(item('p1-again', 'plan:1', 'asset:B'));
    batcher.submit(item('wants-A', 'plan:2', 'asset:A'));
    batcher.submit(item('wants-B', 'plan:3', 'asset:B'));
    batcher.submit(item('free', 'plan:4', 'asset:C'));
    await settle();
    // wants-B shares nothing with p1, but B is wanted by p1-again, which waits: so does wants-B.
    expect(groups[1]).toEqual(['p1', 'free']);
    await settle();
    expect(groups[2]).toEqual(['p1-again', 'wants-A']);
    await settle();
    expect(groups[3]).toEqual(['wants-B']);
  });

  it('bounds a group by maxSize; the rest go to the next group', async () => {
    const { batcher, groups, item, settle } = harness({ maxSize: 2 });
    batcher.submit(item('x', 'plan:x'));
    for (const n of [1, 2, 3]) batcher.submit(item(`m${n}`, `plan:${n}`));
    await settle();
    await settle();
    expect(groups).toEqual([['x'], ['m1', 'm2'], ['m3']]);
  });

  it('waits up to waitMs for members on their way, and not at all when none is', async () => {
    const { batcher, groups, item } = harness({ waitMs: 50 });
    batcher.submit(item('alone', 'plan:1'));
    expect(groups).toEqual([['alone']]);
    const waiting = harness({ waitMs: 50 });
    waiting.batcher.expect();
    waiting.batcher.expect();
    waiting.batcher.submit(waiting.item('a', 'plan:1'), true);
    expect(waiting.groups).toEqual([]);
    waiting.batcher.submit(waiting.item('b', 'plan:2'), true);
    expect(waiting.groups).toEqual([['a', 'b']]);
    const late = harness({ waitMs: 20 });
    late.batcher.expect();
    late.batcher.expect();
    late.batcher.submit(late.item('a', 'plan:1'), true);
    await new Promise((r) => setTimeout(r, 40));
    expect(late.groups).toEqual([['a']]);
  });

  it('after a group of n, waits up to waitMs for n to come back; after a group of one, not at all', async () => {
    const { batcher, groups, item, settle } = harness({ waitMs: 30 });
    batcher.submit(item('first', 'plan:0'));
    for (const n of [1, 2, 3]) batcher.submit(item(`m${n}`, `plan:${n}`));
    await settle();
    expect(groups).toEqual([['first'], ['m1', 'm2', 'm3']]);
    await settle();
    batcher.submit(item('back-1', 'plan:1'));
    batcher.submit(item('back-2', 'plan:2'));
    expect(groups).toHaveLength(2);
    batcher.submit(item('back-3', 'plan:3'));
    expect(groups[2]).toEqual(['back-1', 'back-2', 'back-3']);
    await settle();
    batcher.submit(item('only-1', 'plan:1'));
    expect(groups).toHaveLength(3);
    await new Promise((r) => setTimeout(r, 50));
    expect(groups[3]).toEqual(['only-1']);
    await settle();
    batcher.submit(item('idle', 'plan:9'));
    expect(groups[4]).toEqual(['idle']);
  });

  it('never runs two groups holding one resource at once, and drains', async () => {
    const { batcher, groups, item, settle } = harness({ concurrency: 2 });
    batcher.submit(item('a', 'plan:1'));
    batcher.submit(item('b', 'plan:1'));
    batcher.submit(item('c', 'plan:2'));
    expect(groups).toEqual([['a'], ['c']]);
    let drained = false;
    void batcher.drain().then(() => {
      drained = true;
    });
    await settle();
    expect(groups).toEqual([['a'], ['c'], ['b']]);
    await settle();
    await settle();
    expect(drained).toBe(true);
  });
});
