import type { Logger } from '../../../log.js';
import { silentLogger } from '../../../log.js';
import type { RunningSeplosSimulator } from './seplos-simulator.js';
import { startSeplosSimulator } from './seplos-simulator.js';
import { serveUntilStopped } from './sim-command.js';

export interface SeplosSimCommandArgs {
  port: number;
  host?: string;
  /** Packs on the bus, addresses 1..slots. */
  slots?: number;
  site_id?: string;
  log?: Logger;
  /** Resolves when the simulator should stop (default: SIGINT or SIGTERM). */
  until?: Promise<unknown>;
  onListening?: (sim: RunningSeplosSimulator) => void;
}

/**
 * `swapd sim --protocol seplos-v2`: a bus of Seplos V2 packs behind a TCP listener (what an RS-485-to-TCP
 * gateway offers), a battery at every address, running in real time until stopped. For a serial device
 * bridge it with `socat pty,raw,echo=0,link=/tmp/ttySEPLOS tcp:127.0.0.1:<port>`.
 */
export async function runSeplosSimCommand(args: SeplosSimCommandArgs): Promise<void> {
  const log = (args.log ?? silentLogger()).child({ component: 'sim', site_id: args.site_id });
  const sim = await startSeplosSimulator({
    port: args.port,
    host: args.host ?? '127.0.0.1',
    slots: args.slots ?? 16,
    fill: {},
    autoStepMs: 1_000,
    log,
  });
  log.info({ url: sim.url(sim.addresses[0] ?? 1) }, 'Seplos pack simulator running');
  args.onListening?.(sim);
  await serveUntilStopped(sim, log, args.until);
}
