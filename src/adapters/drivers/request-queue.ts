/** Runs tasks one at a time, in order: one request in flight on a connection or a bus. */
export class RequestQueue {
  #tail: Promise<unknown> = Promise.resolve();
  #length = 0;

  get length(): number {
    return this.#length;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    this.#length += 1;
    const result = this.#tail.then(task, task);
    this.#tail = result.then(
      () => this.#settle(),
      () => this.#settle(),
    );
    return result;
  }

  #settle(): void {
    this.#length -= 1;
  }
}
