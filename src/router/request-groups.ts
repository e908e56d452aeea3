import type { Logger } from '../log.js';
import type { BatteryReading } from '../ports/scanner.js';
import type {
  GroupClaim,
  GroupTransaction,
  IdempotencyKey,
  RequestStore,
  RequestWrite,
} from '../ports/store.js';
import { Batcher } from './batcher.js';
import { type Answer, loadOf, PlanNotFound, type Prepared, type RequestDecider } from './request-decision.js';
import type { ResponseBase } from './responses.js';

export interface GroupSettings {
  /** Largest group; 1 runs every request on its own. */
  readonly maxSize: number;
  /** How long a group waits for requests already on their way (0 when none is, as when idle). */
  readonly waitMs: number;
  /** Groups in their transactions at once. */
  readonly concurrency: number;
}

export type GroupOutcome = 'committed' | 'one-by-one';

export interface GroupDeps {
  store: RequestStore & Required<Pick<RequestStore, 'groupTransaction'>>;
  decider: RequestDecider;
  /** The request on its own, in its own transaction (the path a group falls back to); never rejects. */
  alone(p: Prepared, base: ResponseBase, readings: Map<string, BatteryReading>): Promise<Answer>;
  settings: GroupSettings;
  log: Logger;
  onEventsQueued?: () => void;
  /** Told of every group of two or more: its size and how it ended. */
  onGroup?: (size: number, outcome: GroupOutcome) => void;
}

interface Member {
  p: Prepared;
  base: ResponseBase;
  readings: Map<string, BatteryReading>;
  resources: readonly string[];
  done(answer: Answer): void;
}

/** One member's part of the group: its answer (null: decide it on its own after the group), its writes. */
interface Outcome {
  answer: Answer | null;
  write?: RequestWrite;
  drop?: IdempotencyKey;
  queued: boolean;
}

/** The rows a request holds while it is decided: its plan, the batteries and payments it names, its key. */
function resourcesOf(p: Prepared): string[] {
  const load = loadOf(p);
  const key = p.key.scope === 'payment' ? `key:payment:${p.key.key}` : null;
  return [
    `plan:${load.planId}`,
    ...load.assetIds.map((id) => `asset:${id}`),
    ...load.paymentIds.map((id) => `payment:${id}`),
    ...(key ? [key] : []),
  ];
}

/**
 * Request groups (docs/performance.md): writing requests that arrive while a group is in its
 * transaction are collected, then claimed, locked and read together in one round trip, decided one by
 * one in memory, written together in one statement and committed once; then each is answered. Two
 * requests sharing a plan, a battery, a payment or a key are never in one group: the later waits for
 * the next group and is decided on what the earlier committed (the same decision as one by one, with
 * no second model of the writes in memory). A request refused by its checks is answered and its key
 * dropped; the others go on. Any database error rolls the group back and runs each member on its own.
 */
export class RequestGroups {
  readonly #deps: GroupDeps;
  readonly #batcher: Batcher<Member>;

  constructor(deps: GroupDeps) {
    this.#deps = deps;
    this.#batcher = new Batcher<Member>({
      ...deps.settings,
      resources: (m) => m.resources,
      run: (group) => this.#run(group),
    });
  }

  /** A writing request was checked and is on its way (its hardware being read). */
  expect(): void {
    this.#batcher.expect();
  }

  /** The request that was expected will not come (it failed on its way). */
  arrived(): void {
    this.#batcher.arrived();
  }

  /** The request, expected or not, to be answered by the group it joins. */
  submit(
    p: Prepared,
    base: ResponseBase,
    readings: Map<string, BatteryReading>,
    expected: boolean,
  ): Promise<Answer> {
    return new Promise((done) =>
      this.#batcher.submit({ p, base, readings, resources: resourcesOf(p), done }, expected),
    );
  }

  drain(): Promise<void> {
    return this.#batcher.drain();
  }

  async #alone(m: Member): Promise<void> {
    m.done(await this.#deps.alone(m.p, m.base, m.readings));
  }

  async #run(group: Member[]): Promise<void> {
    if (group.length === 1) return this.#alone(group[0] as Member);
    let outcomes: Outcome[];
    try {
      outcomes = await this.#deps.store.groupTransaction((tx) => this.#inGroup(tx, group));
    } catch (err) {
      this.#deps.onGroup?.(group.length, 'one-by-one');
      this.#deps.log.warn(
        { err, requests: group.length },
        'request group failed; its requests run one by one',
      );
      await Promise.all(group.map((m) => this.#alone(m)));
      return;
    }
    this.#deps.onGroup?.(group.length, 'committed');
    if (outcomes.some((o) => o.queued)) this.#deps.onEventsQueued?.();
    await Promise.all(
      group.map((m, i) => {
        const answer = outcomes[i]?.answer;
        return answer ? m.done(answer) : this.#alone(m);
      }),
    );
  }

  async #inGroup(tx: GroupTransaction, group: Member[]): Promise<Outcome[]> {
    const claims = await tx.claimAndLoad(group.map((m) => ({ key: m.p.key, load: loadOf(m.p) })));
    const outcomes: Outcome[] = [];
    for (const [i, m] of group.entries())
      outcomes.push(await this.#decide(tx, m, claims[i] ?? { kind: 'unknown' }));
    const writes = outcomes.flatMap((o) => (o.write ? [o.write] : []));
    const dropped = outcomes.flatMap((o) => (o.drop ? [o.drop] : []));
    await tx.write(writes, dropped);
    return outcomes;
  }

  /** One member, decided on what the group read; a fault of its own answers it and drops its key. */
  async #decide(tx: GroupTransaction, m: Member, claim: GroupClaim): Promise<Outcome> {
    const { decider } = this.#deps;
    if (claim.kind === 'unknown') return { answer: null, queued: false };
    const refused = (err: unknown): Outcome => ({
      answer: { response: decider.fault(err, m.base, m.p) },
      queued: false,
      ...(claim.kind === 'claimed' ? { drop: m.p.key } : {}),
    });
    try {
      if (claim.kind === 'existing')
        return {
          answer: { response: decider.existing(claim.requestHash, claim.response, m.p, m.base) },
          queued: false,
        };
      if (!claim.loaded) throw new PlanNotFound();
      const decided = await decider.decide(tx, m.p, m.base, m.readings, claim.loaded);
      return { answer: decided.answer, write: decided.write, queued: decided.queued };
    } catch (err) {
      if (!decider.isRequestFault(err)) throw err;
      return refused(err);
    }
  }
}
