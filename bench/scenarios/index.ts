import type { MqttScenario, Scenario } from '../types.js';
import { completeService } from './complete-service.js';
import { equipmentCheckout } from './equipment-checkout.js';
import { modbusPolling } from './modbus-polling.js';
import { mqttEcho } from './mqtt-echo.js';
import { ownSql } from './own-sql.js';
import { safetyGuard } from './safety-guard.js';
import { singleStatement } from './single-statement.js';
import { startup } from './startup.js';
import { telemetryIngest } from './telemetry-ingest.js';

/** Every scenario, in run order (ceilings before what is compared with them). Add a file, list it here. */
export const SCENARIOS: readonly Scenario[] = [
  mqttEcho,
  singleStatement,
  equipmentCheckout,
  completeService,
  ownSql,
  modbusPolling,
  safetyGuard,
  startup,
  telemetryIngest,
];

export function findMqttScenario(name: string): MqttScenario {
  const found = SCENARIOS.find((s) => s.name === name);
  if (found?.kind !== 'mqtt') throw new Error(`no MQTT scenario '${name}'`);
  return found;
}

/** The scenarios matching the filter (names or prefixes), plus the ceilings they are compared with. */
export function selectScenarios(filter: readonly string[]): Scenario[] {
  if (filter.length === 0) return [...SCENARIOS];
  const unknown = filter.filter((f) => !SCENARIOS.some((s) => s.name.startsWith(f)));
  if (unknown.length > 0)
    throw new Error(
      `unknown scenario ${unknown.join(', ')}; valid: ${SCENARIOS.map((s) => s.name).join(', ')}`,
    );
  const wanted = new Set(
    SCENARIOS.filter((s) => filter.some((f) => s.name.startsWith(f))).map((s) => s.name),
  );
  for (let grew = true; grew; ) {
    grew = false;
    for (const s of SCENARIOS) {
      if (s.kind !== 'mqtt' || !wanted.has(s.name)) continue;
      for (const ceiling of [...(s.ceiling ? [s.ceiling] : []), ...(s.alsoComparedWith ?? [])]) {
        if (wanted.has(ceiling)) continue;
        wanted.add(ceiling);
        grew = true;
      }
    }
  }
  return SCENARIOS.filter((s) => wanted.has(s.name));
}
