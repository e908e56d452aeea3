/**
 * Periodic work (telemetry publishing, slot polling, batched writes). Production runs on timers; tests
 * drive it from a manual clock, so minutes of station time pass in milliseconds.
 */
export interface Scheduler {
  /**
   * Runs `task` every `intervalMs`. A run that is still going when the next one is due is not
   * overlapped: the due run is skipped. Returns a function that cancels the schedule.
   */
  every(intervalMs: number, task: () => Promise<void> | void): () => void;
}

/** Timers of the Node.js event loop; they never keep the process alive on their own. */
export const systemScheduler: Scheduler = {
  every(intervalMs, task) {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      Promise.resolve()
        .then(task)
        .catch(() => undefined)
        .finally(() => {
          busy = false;
        });
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  },
};
