/** Peak resident set size of this process while a measurement runs (sampled every 50 ms). */
export class RssSampler {
  #peak = 0;
  #timer: NodeJS.Timeout | null = null;

  start(): void {
    this.#peak = process.memoryUsage.rss();
    this.#timer = setInterval(() => {
      this.#peak = Math.max(this.#peak, process.memoryUsage.rss());
    }, 50);
    this.#timer.unref();
  }

  /** Peak in MB since start(). */
  stop(): number {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    return Math.round((Math.max(this.#peak, process.memoryUsage.rss()) / 1048576) * 10) / 10;
  }
}
