import { SwapdError } from '../src/errors.js';
import type { CycleRecord, RawCycleRecord } from './cycle.types.js';
import { fastRestore } from './cycle-fast-path.js';
import { migrateRaw } from './cycle-migrations.js';
import { definitionOf } from './cycle-registry.js';
import { parseSnapshot, toRecord } from './cycle-snapshot.js';

/**
 * A stored record as the current machine version: migrates older snapshots (see cycle-migrations.ts),
 * and throws a clear error for a newer or unknown version, or a corrupt snapshot.
 */
export function restoreRecord(raw: RawCycleRecord): CycleRecord {
  const def = definitionOf(raw.cycle);
  const version = raw.machineVersion;
  if (!Number.isInteger(version) || version < 0) {
    throw versionFault(raw, `unknown machine version ${String(version)}`);
  }
  if (version > def.version) {
    const why = `machine version ${version} is newer than this swapd's version ${def.version}`;
    throw versionFault(raw, `${why}; upgrade swapd before it handles this plan`);
  }
  const fast = fastRestore(raw);
  if (fast) return fast;
  const current = migrateRaw(raw, def.version, def.migrations);
  return toRecord(raw.cycle, parseSnapshot(current));
}

function versionFault(raw: RawCycleRecord, message: string): SwapdError {
  return new SwapdError('INTERNAL_ERROR', `cannot restore ${raw.cycle} record: ${message}`, {
    details: [{ path: 'machineVersion', message }],
  });
}
