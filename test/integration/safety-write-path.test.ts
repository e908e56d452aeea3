import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/main.js';
import { ManualClock } from '../harness/clock.js';
import { deviceCommand, ops } from '../harness/safety.js';
import { FAST_TIMINGS } from '../harness/simulator-harness.js';
import { startStation, type TestStation } from '../harness/station.js';

/**
 * SPEC §8: every setpoint write goes through the SafetyGuard. The proof is structural (no code but
 * the guarded station names the control side) and practical (from a running swapd, every public
 * object is tried for a way to the raw writer, and none exists).
 */
const CODE_DIRS = ['src', 'agents', 'fsm', 'safety', 'charging', 'migrations', 'bench', 'bin'];

/** Each pattern, and the only files allowed to contain it (with the reason). */
const RULES: { pattern: RegExp; what: string; allowed: Record<string, string> }[] = [
  {
    pattern: /\bwriteTag\b/,
    what: 'the raw control write',
    allowed: {
      'src/ports/data-provider.ts': 'declares the DataWriter port',
      'src/adapters/drivers/modbus/modbus-driver.ts': 'implements it over Modbus',
      'src/adapters/drivers/seplos/seplos-driver.ts':
        'implements it by refusing every write (a BMS has no control tags)',
      'src/runtime/guarded-station.ts': 'the one caller, behind the SafetyGuard',
    },
  },
  {
    pattern: /['"`](P_setpoint_kW|mode_cmd)['"`]/,
    what: 'a control tag named in code',
    allowed: {
      'src/ports/data-provider.ts': 'REQUIRED_WRITE_TAGS (SPEC-001 §5.2)',
      'src/runtime/guarded-station.ts': 'the one writer',
      'src/adapters/drivers/simulator/station-cabinet.ts': 'the simulated device reads its own registers',
      'src/runtime/slot-reader.ts': 'reads the setpoint back for the station page, through a read-only view',
    },
  },
  {
    pattern: /\bwriteRegisters?\b/,
    what: 'a raw Modbus register write',
    allowed: {
      'src/adapters/drivers/modbus/modbus-link.ts': "the driver's connection",
      'src/adapters/drivers/simulator/pdu-handler.ts': 'the simulated device answering a write',
      'src/adapters/drivers/simulator/station-cabinet.ts': 'the simulated device storing it',
    },
  },
  {
    pattern: /from ['"]modbus-serial/,
    what: 'a Modbus client library',
    allowed: { 'src/adapters/drivers/modbus/modbus-link.ts': 'the only Modbus connection' },
  },
  {
    pattern: /\bcreateDriver\(|new (Modbus|Seplos)Driver\(/,
    what: 'a new driver (a new raw writer)',
    allowed: {
      'src/adapters/drivers/driver-factory.ts': 'defines it',
      'src/adapters/drivers/station-hardware.ts': "the station's drivers, whose writers go to the guard",
      'bench/scenarios/modbus-polling.ts': 'reads its own simulator, never writes',
    },
  },
  {
    pattern: /\btakeSlotWriters\b/,
    what: 'the hand-over of the writers',
    allowed: {
      'src/adapters/drivers/station-hardware.ts': 'hands them over once',
      'src/runtime/station-control.ts': 'gives them to the guarded station',
    },
  },
];

function codeFiles(dir: string): string[] {
  const abs = join(PROJECT_ROOT, dir);
  return readdirSync(abs).flatMap((name) => {
    const path = join(abs, name);
    if (statSync(path).isDirectory()) return codeFiles(relative(PROJECT_ROOT, path));
    return /\.(ts|js|mjs|cjs)$/.test(name) ? [relative(PROJECT_ROOT, path)] : [];
  });
}

describe('the raw write is unreachable: source', () => {
  const files = CODE_DIRS.flatMap((d) => codeFiles(d));

  it('scans the whole code base', () => {
    expect(files.length).toBeGreaterThan(80);
    expect(files).toContain('src/runtime/guarded-station.ts');
  });

  it.each(RULES)('only the allowed files contain $what', (rule) => {
    const offending = files.filter((f) => rule.pattern.test(readFileSync(join(PROJECT_ROOT, f), 'utf8')));
    expect(offending.sort()).toEqual(Object.keys(rule.allowed).sort());
  });
});

/**
 * Every object reachable through public properties, getters included (a getter could hand out what a
 * plain property does not), and prototype methods.
 */
function reachable(root: unknown, limit = 300_000): { objects: Set<object>; paths: Map<object, string> } {
  const objects = new Set<object>();
  const paths = new Map<object, string>();
  const queue: [unknown, string][] = [[root, 'swapd']];
  while (queue.length > 0 && objects.size < limit) {
    const [value, path] = queue.shift()!;
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null || objects.has(value))
      continue;
    objects.add(value);
    paths.set(value, path);
    if (ArrayBuffer.isView(value)) continue;
    if (value instanceof Map) for (const [k, v] of value) queue.push([v, `${path}.get(${String(k)})`]);
    if (value instanceof Set) for (const v of value) queue.push([v, `${path}.<item>`]);
    for (const [key, d] of Object.entries(Object.getOwnPropertyDescriptors(value))) {
      if ('value' in d) queue.push([d.value, `${path}.${key}`]);
      else if (d.get && key !== '__proto__') queue.push([readGetter(value, key), `${path}.${key}`]);
    }
    for (const key of inheritedGetters(value)) queue.push([readGetter(value, key), `${path}.${key}`]);
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto && proto !== Object.prototype && proto !== Function.prototype)
      queue.push([proto, `${path}.<proto>`]);
  }
  return { objects, paths };
}

/** Getters a class gives its instances (on the prototype chain), to be read on the instance itself. */
function inheritedGetters(value: object): string[] {
  const keys: string[] = [];
  for (let p = Object.getPrototypeOf(value); p && p !== Object.prototype && p !== Function.prototype; ) {
    for (const [key, d] of Object.entries(Object.getOwnPropertyDescriptors(p))) {
      if (d.get && key !== '__proto__') keys.push(key);
    }
    p = Object.getPrototypeOf(p);
  }
  return keys;
}

/** A getter's value seen from an object (or prototype) of the graph; undefined where it throws. */
function readGetter(owner: object, key: string): unknown {
  try {
    return (owner as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

describe('the raw write is unreachable: a running swapd', () => {
  let station: TestStation;
  const clock = new ManualClock('2026-03-01T08:00:00Z');

  beforeAll(async () => {
    station = await startStation({
      db: 'postgres',
      broker: 'aedes',
      overrides: { roles: ['agent', 'station'], station: { simulator_slots: 3 } },
      start: {
        clock,
        driverTimings: FAST_TIMINGS,
        simulatorAutoStepMs: 0,
        controlLoop: 'manual',
        writeRuntimeNote: true,
      },
    });
  });

  afterAll(async () => {
    await station?.close();
  });

  it('the writers were handed out once: asking again throws', () => {
    expect(() => station.swapd.hardware!.takeSlotWriters()).toThrow(/handed out already/);
  });

  it('the search finds a writer hidden in a map, an array or a prototype (control)', () => {
    class Hidden {
      writeTag(): void {}
    }
    const planted = { a: new Map([['k', [{ b: new Hidden() }]]]) };
    const found = [...reachable(planted).objects].filter((o) => 'writeTag' in o);
    expect(found.length).toBeGreaterThan(0);
  });

  it('the search finds a writer behind a getter (control)', () => {
    const writer = { writeTag: () => undefined };
    const planted = Object.freeze({
      get driver() {
        return writer;
      },
    });
    expect([...reachable(planted).objects]).toContain(writer);
  });

  it('the search finds a writer behind a class getter (control)', () => {
    const writer = { writeTag: () => undefined };
    class Holder {
      readonly #driver = writer;
      get driver() {
        return this.#driver;
      }
    }
    expect([...reachable({ holder: new Holder() }).objects]).toContain(writer);
  });

  it('no object reachable from the running swapd has a writeTag', () => {
    const { objects, paths } = reachable(station.swapd);
    expect(objects.size).toBeGreaterThan(300);
    expect([...paths.values()]).toContain('swapd.control.guard');
    const writers = [...objects].filter((o) => {
      try {
        return 'writeTag' in o;
      } catch {
        return false;
      }
    });
    expect(writers.map((w) => paths.get(w))).toEqual([]);
  });

  it('the slots and the scanner are read-only views, frozen', () => {
    for (const slot of station.swapd.hardware!.slots) {
      const reader = slot.reader as unknown as Record<string, unknown>;
      expect('writeTag' in reader).toBe(false);
      expect('connect' in reader || 'disconnect' in reader).toBe(false);
      expect(Object.isFrozen(reader)).toBe(true);
      expect(() => {
        reader.writeTag = () => undefined;
      }).toThrow(TypeError);
    }
  });

  it('the guarded path refuses a setpoint beyond p_max, and the device never sees it', async () => {
    const guard = station.swapd.control!.guard;
    await guard.poll();
    const decision = await guard.command('slot-1', -7.3);
    expect(decision).toMatchObject({
      allowed: false,
      setpoint: 0,
      mode: 0,
      reasons: ['SAFETY_SETPOINT_OVER_PMAX'],
    });
    const sim = station.swapd.hardware!.simulator!;
    expect(deviceCommand(sim, 1)).toEqual({ setpoint: 0, mode: 0 });
    const setpointWords = sim.counters.writeLog.filter((w) => w.unitId === 1 && w.address === 18);
    expect(setpointWords.every((w) => w.words.every((word) => word === 0))).toBe(true);
  });

  it('no HTTP route writes a setpoint', async () => {
    for (const path of [
      '/api/v1/ops/setpoint',
      '/api/v1/ops/slots/slot-1/setpoint',
      '/api/v1/ops/safety/override',
    ]) {
      expect((await ops(station.swapd, 'POST', path, { setpoint_kw: -7 })).status).toBe(404);
    }
  });
});
