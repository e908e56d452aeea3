import { userInfo } from 'node:os';
import { type Command, Option } from 'commander';
import { runSeplosSimCommand } from '../adapters/drivers/simulator/seplos-sim-command.js';
import { runSimCommand } from '../adapters/drivers/simulator/sim-command.js';
import { type ClearResult, SafetyClient } from '../admin/safety-client.js';
import type { SlotSafetySnapshot } from '../ports/safety-snapshot.js';
import { configFrom, type Globals, print } from './common.js';

/** `swapd sim` (a simulator alone) and `swapd safety status|clear` (the running swapd's SafetyGuard). */
export function stationCommands(program: Command, globals: Globals): void {
  program
    .command('sim')
    .description(
      'run a simulator alone: the station (Modbus TCP: slots are unit ids 1..N, the scanner unit 100) or, with --protocol seplos-v2, a bus of Seplos V2 packs (addresses 1..N)',
    )
    .option('--port <port>', 'TCP port (default 5020; 8888 for seplos-v2)', Number)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--slots <n>', 'charging slots (Seplos: packs on the bus)', Number, 16)
    .addOption(
      new Option('--protocol <protocol>', 'modbus (the station) or seplos-v2 (battery packs)')
        .choices(['modbus', 'seplos-v2'])
        .default('modbus'),
    )
    .action((o: { port?: number; host: string; slots: number; protocol: string }) => {
      const where = { host: o.host, slots: o.slots, site_id: configFrom(globals()).site_id };
      if (o.protocol === 'seplos-v2') {
        return runSeplosSimCommand({
          ...where,
          port: o.port ?? 8888,
          onListening: (sim) =>
            print(
              globals(),
              {
                status: 'listening',
                protocol: 'seplos-v2',
                host: sim.host,
                port: sim.port,
                addresses: sim.addresses,
              },
              `Seplos V2 pack simulator on seplos-v2-tcp://${sim.host}:${sim.port} (pack addresses ${sim.addresses.join(', ')})`,
            ),
        });
      }
      return runSimCommand({
        ...where,
        port: o.port ?? 5020,
        onListening: (sim) =>
          print(
            globals(),
            {
              status: 'listening',
              host: sim.host,
              port: sim.port,
              slots: sim.slotUnitIds.length,
              scanner_unit: sim.scannerUnitId,
            },
            `station simulator on modbus-tcp://${sim.host}:${sim.port} (slots 1..${sim.slotUnitIds.length}, scanner unit ${sim.scannerUnitId})`,
          ),
      });
    });

  const safety = program
    .command('safety')
    .description("the SafetyGuard of the running swapd's charging slots");
  safety
    .command('status')
    .description('each slot: latched, reasons, setpoint, mode, charging power')
    .action(async () => {
      const slots = await SafetyClient.open(configFrom(globals())).status();
      print(globals(), { slots }, slots.map(describeSlot).join('\n'));
    });
  safety
    .command('clear')
    .description('clear Safe State (refused while the cause is still present)')
    .option('--device <id>', "the slot's device id (as in the configuration, e.g. slot-3)")
    .option('--all', 'every latched slot')
    .option('--operator <name>', 'who clears it (recorded in the audit log)', defaultOperator())
    .action(async (o: { device?: string; all?: boolean; operator: string }) => {
      if (Boolean(o.device) === Boolean(o.all)) throw new Error('give exactly one of --device <id> or --all');
      const results = await SafetyClient.open(configFrom(globals())).clear(o.device ?? null, o.operator);
      print(globals(), { results }, results.map(describeClear).join('\n') || 'no slot is latched');
      if (results.some((r) => r.outcome === 'refused')) process.exitCode = 3;
    });
}

function defaultOperator(): string {
  try {
    return userInfo().username;
  } catch {
    return 'operator';
  }
}

function describeSlot(s: SlotSafetySnapshot): string {
  const state = s.latched
    ? `SAFE STATE (${s.latch_reasons.join(', ')})`
    : s.allowed === false
      ? 'blocked'
      : 'ok';
  const why = s.reasons.length > 0 ? ` reasons ${s.reasons.join(', ')}` : '';
  return `${s.device_id}: ${state}; setpoint ${s.setpoint_kw ?? '-'} kW, mode ${s.mode_cmd ?? '-'}, charging ${s.charging_power_kw ?? '-'} kW, SOC ${s.soc_pct?.toFixed(1) ?? '-'} %, ${s.temperature_c?.toFixed(1) ?? '-'} °C${why}`;
}

function describeClear(r: ClearResult): string {
  if (r.outcome === 'cleared') return `${r.device_id}: cleared (was ${r.reasons.join(', ')})`;
  if (r.outcome === 'not_latched') return `${r.device_id}: not latched`;
  return `${r.device_id}: REFUSED, cause still present: ${r.reasons.join(', ')}`;
}
