/** How a Batcher forms its groups. */
export interface BatcherOptions<M> {
  /** Largest group. */
  maxSize: number;
  /**
   * How long a group about to start may wait for more members: for those already on their way (see
   * `expect`), and, right after a group of n, for up to n (the requests those n answers bring back).
   * Nothing on its way after a group of one, as when the system is idle, means no wait at all.
   */
  waitMs: number;
  /** Groups running at once. */
  concurrency: number;
  /** What a member holds (plan, batteries, …): members sharing anything never run in one group or at once. */
  resources(member: M): readonly string[];
  /** Works one group off; must settle every member itself and never reject. */
  run(group: M[]): Promise<void>;
}

/**
 * Groups what arrives while a group is running, in the manner of graphile-worker's batch(): callers
 * submit one member and never see the group. A group takes members in arrival order up to `maxSize`;
 * a member that shares a resource with one taken before it (or with a running group) waits for a
 * later group, and so does every later member sharing a resource with a waiting one, so members of one
 * plan or one battery keep their order. Backpressure is the caller's: the queue holds what was
 * submitted, which the request server bounds.
 */
export class Batcher<M> {
  readonly #o: BatcherOptions<M>;
  #queue: M[] = [];
  readonly #busy = new Set<string>();
  #running = 0;
  #arriving = 0;
  #timer: NodeJS.Timeout | null = null;
  #waited = false;
  /** Members of the group that finished last: as many may be on their way back. */
  #lastSize = 1;
  #idle: (() => void)[] = [];

  constructor(options: BatcherOptions<M>) {
    this.#o = options;
  }

  /** Members queued, and groups running. */
  get queued(): number {
    return this.#queue.length;
  }

  get running(): number {
    return this.#running;
  }

  /** A member is on its way (checked, its hardware being read): a group about to start may wait for it. */
  expect(): void {
    this.#arriving++;
  }

  /** A member that was expected is no longer on its way (submitted, or answered without a group). */
  arrived(): void {
    this.#arriving = Math.max(0, this.#arriving - 1);
    if (this.#timer && !this.#shouldWait()) this.#stopWaiting();
    this.#pump();
  }

  #stopWaiting(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** Queues a member; `expected`: it was announced by `expect` and is no longer on its way. */
  submit(member: M, expected = false): void {
    this.#queue.push(member);
    if (expected) this.#arriving = Math.max(0, this.#arriving - 1);
    if (this.#timer && !this.#shouldWait()) this.#stopWaiting();
    this.#pump();
  }

  /** Resolves once nothing is queued and no group is running. */
  drain(): Promise<void> {
    if (this.#queue.length === 0 && this.#running === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #pump(): void {
    while (this.#running < this.#o.concurrency && this.#queue.length > 0 && !this.#timer) {
      if (this.#shouldWait()) {
        this.#timer = setTimeout(() => {
          this.#timer = null;
          this.#waited = true;
          this.#pump();
        }, this.#o.waitMs);
        return;
      }
      const group = this.#take();
      if (group.length === 0) return;
      this.#waited = false;
      this.#start(group);
    }
  }

  #shouldWait(): boolean {
    if (this.#o.waitMs <= 0 || this.#waited) return false;
    const queued = this.#queue.length;
    return queued < this.#o.maxSize && (this.#arriving > 0 || queued < this.#lastSize);
  }

  #take(): M[] {
    const group: M[] = [];
    const rest: M[] = [];
    const held = new Set<string>(this.#busy);
    for (const member of this.#queue) {
      const resources = this.#o.resources(member);
      const free = group.length < this.#o.maxSize && resources.every((r) => !held.has(r));
      for (const r of resources) held.add(r);
      (free ? group : rest).push(member);
    }
    this.#queue = rest;
    return group;
  }

  #start(group: M[]): void {
    this.#running++;
    const resources = group.flatMap((m) => this.#o.resources(m));
    for (const r of resources) this.#busy.add(r);
    void this.#o
      .run(group)
      .catch(() => undefined)
      .finally(() => {
        this.#running--;
        this.#lastSize = group.length;
        for (const r of resources) this.#busy.delete(r);
        this.#pump();
        if (this.#queue.length === 0 && this.#running === 0)
          for (const resolve of this.#idle.splice(0)) resolve();
      });
  }
}
