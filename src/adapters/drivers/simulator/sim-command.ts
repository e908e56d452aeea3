import type { Logger } from '../../../log.js';
import { silentLogger } from '../../../log.js';
import type { RunningSimulator } from './station-simulator.js';
import { startSimulator } from './station-simulator.js';

export interface SimCommandArgs {
  port: number;
  host?: string;
  slots?: number;
  site_id?: string;
  log?: Logger;
  /** Resolves when the simulator should stop (default: SIGINT or SIGTERM). */
  until?: Promise<unknown>;
  /** Called once listening (the CLI prints the endpoint as JSON). */
  onListening?: (sim: RunningSimulator) => void;
}

/** `swapd sim`: runs the station simulator in real time (batteries in every slot) until stopped. */
export async function runSimCommand(args: SimCommandArgs): Promise<void> {
  const log = (args.log ?? silentLogger()).child({ component: 'sim', site_id: args.site_id });
  const sim = await startSimulator({
    port: args.port,
    host: args.host ?? '127.0.0.1',
    slots: args.slots ?? 16,
    fill: {},
    autoStepMs: 1_000,
    log,
  });
  log.info({ url: sim.url(1), scannerUnitId: sim.scannerUnitId }, 'simulator running');
  args.onListening?.(sim);
  await serveUntilStopped(sim, log, args.until);
}

/** Keeps a started simulator running until `until` resolves (default: SIGINT or SIGTERM), then closes it. */
export async function serveUntilStopped(
  sim: { close(): Promise<void> },
  log: Logger,
  until?: Promise<unknown>,
): Promise<void> {
  try {
    await (until ?? untilSignal());
  } finally {
    await sim.close();
    log.info('simulator stopped');
  }
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
