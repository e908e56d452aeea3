/** Messages between the bench runner and its requester process (child_process IPC). */

export interface RunCommand {
  type: 'run';
  id: number;
  brokerUrl: string;
  scenario: string;
  /** Which seeded fleet (one per database) the requests are for. */
  fleetKey: string;
  plans: number;
  inFlight: number;
  warmupMs: number;
  durationMs: number;
  runId: string;
}

export interface LoadResult {
  /** Answered inside the measured window. */
  completed: number;
  succeeded: number;
  errors: number;
  /** Responses over the whole run, warm-up included (for per-request averages on the swapd side). */
  totalAnswered: number;
  timeouts: number;
  firstError: string | null;
  /** Latencies (ms) of the requests answered inside the window. */
  latencies: number[];
  windowMs: number;
  /** The run stopped early: nothing succeeded during the warm-up. */
  aborted: boolean;
}

export type RequesterMessage =
  | { type: 'result'; id: number; result: LoadResult }
  | { type: 'error'; id: number; message: string };
