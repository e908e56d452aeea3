import type { Logger } from '../../../log.js';
import type { Clock } from '../../../ports/clock.js';
import { systemClock } from '../../../ports/clock.js';
import type {
  DataProvider,
  DriverState,
  DriverTimings,
  StaticInfo,
  TagCoverage,
} from '../../../ports/data-provider.js';
import { DriverError } from '../../../ports/data-provider.js';
import { ConnectionSupervisor } from '../connection-supervisor.js';
import { withDeadline } from '../deadline.js';
import type { DeviceProfile, TagDefinition } from '../registry/device-profile.js';
import { isReadable, isWritable } from '../registry/device-profile.js';
import { checkReadBounds } from '../registry/read-bounds.js';
import type { ModbusEndpoint } from './modbus-endpoint.js';
import { describeEndpoint } from './modbus-endpoint.js';
import { ModbusLink } from './modbus-link.js';
import type { ReadBlock } from './read-plan.js';
import { planReads } from './read-plan.js';
import { decodeNumber, decodeString, encodeNumber } from './register-codec.js';

export interface ModbusDriverOptions {
  profile: DeviceProfile;
  endpoint: ModbusEndpoint;
  timings: DriverTimings;
  log: Logger;
  clock?: Clock;
}

/** Errors after which the stream cannot be trusted: the link is dropped and re-established. */
const LINK_BREAKING = new Set(['TIMEOUT', 'NOT_CONNECTED', 'CONNECTION_FAILED']);

/** SPEC-001 DataProvider over Modbus TCP or RTU, driven by a device profile. */
export class ModbusDriver implements DataProvider {
  readonly #profile: DeviceProfile;
  readonly #endpoint: ModbusEndpoint;
  readonly #timings: DriverTimings;
  readonly #clock: Clock;
  readonly #link: ModbusLink;
  readonly #supervisor: ConnectionSupervisor;
  readonly #plans = new Map<string, ReadBlock[]>();
  readonly sourceDescription: string;
  readonly tags: TagCoverage;
  #lastGoodReadAt: Date | null = null;

  constructor(options: ModbusDriverOptions) {
    this.#profile = options.profile;
    this.#endpoint = options.endpoint;
    this.#timings = options.timings;
    this.#clock = options.clock ?? systemClock;
    this.sourceDescription = `${options.profile.manufacturer} ${options.profile.model} @ ${describeEndpoint(options.endpoint)}`;
    const log = options.log.child({ component: 'modbus-driver', source: this.sourceDescription });
    this.#link = new ModbusLink(options.endpoint, (reason) => this.#supervisor.lost(reason));
    this.#supervisor = new ConnectionSupervisor(this.#link, options.timings, log);
    this.tags = coverageOf(options.profile);
  }

  get isConnected(): boolean {
    return this.#supervisor.isConnected;
  }

  get state(): DriverState {
    return this.#supervisor.state;
  }

  get lastGoodReadAt(): Date | null {
    return this.#lastGoodReadAt;
  }

  get reconnectFailures(): number {
    return this.#supervisor.reconnectFailures;
  }

  connect(): Promise<void> {
    return this.#supervisor.connect();
  }

  disconnect(): Promise<void> {
    return this.#supervisor.disconnect();
  }

  async readTag(tag: string): Promise<number> {
    const values = await this.readTags([tag]);
    return values[tag] as number;
  }

  async readTags(tags: readonly string[]): Promise<Record<string, number>> {
    const defs = tags.map((name) => [name, this.#numericTag(name, 'read')] as const);
    const words = await this.#readBlocks(this.#plan(tags), 'read');
    const values: Record<string, number> = {};
    for (const [name, def] of defs) values[name] = this.#decode(name, def, words);
    this.#lastGoodReadAt = this.#clock.now();
    return values;
  }

  async readStaticInfo(): Promise<StaticInfo> {
    const { serial_number: serialTag, firmware: firmwareTag } = this.#profile.modbus.static_tags ?? {};
    const names = [serialTag, firmwareTag].filter((n): n is string => n !== undefined);
    const words = names.length > 0 ? await this.#readBlocks(this.#plan(names), 'readStaticInfo') : new Map();
    const text = (name: string | undefined) => (name ? decodeString(this.#slice(name, words)) || null : null);
    if (names.length > 0) this.#lastGoodReadAt = this.#clock.now();
    return {
      serial_number: text(serialTag),
      manufacturer: this.#profile.manufacturer,
      model: this.#profile.model,
      firmware: text(firmwareTag),
    };
  }

  async writeTag(tag: string, value: number): Promise<void> {
    const def = this.#numericTag(tag, 'write');
    checkRange(tag, def, value);
    this.#supervisor.assertConnected(this.sourceDescription);
    const words = encodeNumber(def, value, this.#profile.modbus.word_order);
    const unitId = def.unit_id ?? this.#endpoint.unitId;
    await this.#guard('write', () =>
      this.#link.write(unitId, def.address, words, this.#timings.requestTimeoutMs),
    );
  }

  #numericTag(name: string, use: 'read' | 'write'): TagDefinition {
    const def = this.#profile.tags[name];
    const ok = def && def.type !== 'string' && (use === 'read' ? isReadable(def) : isWritable(def));
    if (!ok)
      throw new DriverError('UNKNOWN_TAG', `${this.sourceDescription} has no ${use}able tag ${name}`, {
        tag: name,
      });
    return def;
  }

  #plan(tags: readonly string[]): ReadBlock[] {
    const key = tags.join('\u0000');
    let plan = this.#plans.get(key);
    if (!plan) {
      const m = this.#profile.modbus;
      plan = planReads(this.#profile, this.#endpoint.unitId, tags, {
        maxBlockRegisters: m.max_block_registers,
        maxGapRegisters: m.max_gap_registers,
      });
      if (this.#plans.size < 64) this.#plans.set(key, plan);
    }
    return plan;
  }

  /** Reads the blocks in order; returns register words keyed by `unit/table/address`. */
  async #readBlocks(blocks: readonly ReadBlock[], what: string): Promise<Map<string, number>> {
    this.#supervisor.assertConnected(this.sourceDescription);
    return this.#guard(what, async () => {
      const words = new Map<string, number>();
      for (const b of blocks) {
        const data = await this.#link.read(
          b.unitId,
          b.table,
          b.address,
          b.count,
          this.#timings.requestTimeoutMs,
        );
        data.forEach((w, i) => {
          words.set(`${b.unitId}/${b.table}/${b.address + i}`, w);
        });
      }
      return words;
    });
  }

  /** Applies the overall time limit; a timeout or a broken stream drops the link (then reconnect). */
  async #guard<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await withDeadline(work(), this.#timings.requestTimeoutMs, `${what} ${this.sourceDescription}`);
    } catch (err) {
      const error = err instanceof DriverError ? err : new DriverError('EXCEPTION', String(err), {}, err);
      if (LINK_BREAKING.has(error.code) || error.details.exceptionCode === undefined)
        this.#supervisor.lost(error.message);
      throw error;
    }
  }

  #slice(name: string, words: ReadonlyMap<string, number>): number[] {
    const def = this.#profile.tags[name] as TagDefinition;
    const unitId = def.unit_id ?? this.#endpoint.unitId;
    const count = def.type === 'string' ? (def.length ?? 1) : def.type.endsWith('16') ? 1 : 2;
    return Array.from(
      { length: count },
      (_, i) => words.get(`${unitId}/${def.table}/${def.address + i}`) ?? 0,
    );
  }

  #decode(name: string, def: TagDefinition, words: ReadonlyMap<string, number>): number {
    const value = decodeNumber(def, this.#slice(name, words), this.#profile.modbus.word_order);
    if (!Number.isFinite(value))
      throw new DriverError('EXCEPTION', `${name} decoded to ${value}`, { tag: name });
    if (name === 'mode' && !(def.values ?? [0, 1, 2, 3]).includes(value)) return 3;
    checkReadBounds(name, def, value, this.sourceDescription);
    return value;
  }
}

/** SPEC-001 §4.6: bounds are checked before anything is sent. */
function checkRange(tag: string, def: TagDefinition, value: number): void {
  const bad =
    !Number.isFinite(value) ||
    (def.values !== undefined && !def.values.includes(value)) ||
    (def.range !== undefined && (value < def.range[0] || value > def.range[1]));
  if (bad) {
    const allowed = def.values ? `one of ${def.values.join(', ')}` : `${def.range?.[0]}..${def.range?.[1]}`;
    throw new DriverError('RANGE', `${tag} = ${value} is outside ${allowed}`, { tag, value });
  }
}

function coverageOf(profile: DeviceProfile): TagCoverage {
  return Object.freeze({
    readable: [...profile.supported_tags.read],
    writable: [...profile.supported_tags.write],
    unsupportedRequiredTags: [...profile.unsupported_required_tags],
    pMaxKw: profile.p_max_kw,
    chemistry: profile.chemistry ?? null,
    safetyCriticalAlarmBits: profile.safety_critical_alarm_bits ?? {},
  });
}
