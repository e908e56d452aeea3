import { Decimal } from 'decimal.js';
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
import { DriverError, isDriverError } from '../../../ports/data-provider.js';
import { ConnectionSupervisor } from '../connection-supervisor.js';
import type { SeplosProfile } from '../registry/device-profile.js';
import { checkReadBounds } from '../registry/read-bounds.js';
import { BUS_BUSY } from './seplos-bus.js';
import type { SeplosEndpoint } from './seplos-endpoint.js';
import { describeSeplosEndpoint } from './seplos-endpoint.js';
import type { Decoded, SeplosFrame } from './seplos-frame.js';
import { CID2 } from './seplos-frame.js';
import { SeplosLink } from './seplos-link.js';
import { decodeManufacturer, decodeTelemetry, decodeTelesignal } from './seplos-payload.js';
import { packValues } from './seplos-values.js';

export interface SeplosDriverOptions {
  profile: SeplosProfile;
  endpoint: SeplosEndpoint;
  timings: DriverTimings;
  log: Logger;
  clock?: Clock;
}

/** RTN 04: the pack does not know the command. */
const RTN_CID2_UNSUPPORTED = 0x04;

/** SPEC-001 §5.1: SOC is a percentage; a pack's calibration overshoot (up to 105 %) is reported as 100. */
const SOC_CEILING = 100;

/**
 * SPEC-001 DataProvider for a Seplos V2 BMS (read-only): a read is one telemetry (0x42) and one
 * telesignalization (0x44) exchange, decoded exactly, checked against the profile's plausible ranges,
 * and mapped to SPEC-001 tags. The battery's remaining energy is remaining Ah × pack voltage.
 */
export class SeplosDriver implements DataProvider {
  readonly #profile: SeplosProfile;
  readonly #timings: DriverTimings;
  readonly #clock: Clock;
  readonly #link: SeplosLink;
  readonly #supervisor: ConnectionSupervisor;
  readonly sourceDescription: string;
  readonly tags: TagCoverage;
  #lastGoodReadAt: Date | null = null;

  constructor(options: SeplosDriverOptions) {
    this.#profile = options.profile;
    this.#timings = options.timings;
    this.#clock = options.clock ?? systemClock;
    this.sourceDescription = `${options.profile.manufacturer} ${options.profile.model} @ ${describeSeplosEndpoint(options.endpoint)}`;
    const log = options.log.child({ component: 'seplos-driver', source: this.sourceDescription });
    this.#link = new SeplosLink(options.endpoint, (reason) => this.#supervisor.lost(reason));
    this.#supervisor = new ConnectionSupervisor(this.#link, options.timings, log);
    this.tags = Object.freeze({
      readable: [...options.profile.supported_tags.read],
      writable: [],
      unsupportedRequiredTags: [...options.profile.unsupported_required_tags],
      pMaxKw: options.profile.p_max_kw,
      chemistry: options.profile.chemistry ?? null,
      safetyCriticalAlarmBits: options.profile.safety_critical_alarm_bits ?? {},
    });
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
    const exact = await this.#read(tags);
    return Object.fromEntries(tags.map((t) => [t, (exact.get(t) as Decimal).toNumber()]));
  }

  async readTagsExact(tags: readonly string[]): Promise<Record<string, string>> {
    const exact = await this.#read(tags);
    return Object.fromEntries(tags.map((t) => [t, (exact.get(t) as Decimal).toFixed()]));
  }

  /** CID2 0x51 where the pack answers it; a pack without it (RTN 04) gives only what the profile says. */
  async readStaticInfo(): Promise<StaticInfo> {
    this.#supervisor.assertConnected(this.sourceDescription);
    const base = { manufacturer: this.#profile.manufacturer, model: this.#profile.model };
    let frame: SeplosFrame;
    try {
      frame = await this.#guard(() => this.#link.exchange(CID2.MANUFACTURER, this.#timings.requestTimeoutMs));
    } catch (err) {
      if (!isDriverError(err) || err.details.exceptionCode !== RTN_CID2_UNSUPPORTED) throw err;
      return { ...base, serial_number: null, firmware: null, hardware_version: null };
    }
    const info = decodeManufacturer(frame.info);
    if (!info.ok) throw info.error;
    this.#lastGoodReadAt = this.#clock.now();
    return {
      ...base,
      serial_number: info.value.identity || null,
      firmware: info.value.firmware,
      hardware_version: info.value.hardware || null,
    };
  }

  async writeTag(tag: string, _value: number): Promise<void> {
    throw new DriverError('UNKNOWN_TAG', `${this.sourceDescription} is read-only; ${tag} cannot be written`, {
      tag,
    });
  }

  async #read(tags: readonly string[]): Promise<Map<string, Decimal>> {
    for (const tag of tags) this.#assertReadable(tag);
    this.#supervisor.assertConnected(this.sourceDescription);
    const budget = this.#timings.requestTimeoutMs;
    const started = performance.now();
    const values = await this.#guard(async () => {
      const tel = need(decodeTelemetry((await this.#link.exchange(CID2.TELEMETRY, budget)).info));
      const left = budget - (performance.now() - started);
      const sig = need(decodeTelesignal((await this.#link.exchange(CID2.TELESIGNAL, left)).info));
      return packValues(tel, sig);
    });
    this.#checkBounds(values);
    for (const tag of tags) {
      if (!values.has(tag))
        throw new DriverError('UNKNOWN_TAG', `${this.sourceDescription} does not report ${tag}`, { tag });
    }
    const soc = values.get('SOC_%');
    if (soc?.greaterThan(SOC_CEILING)) values.set('SOC_%', new Decimal(SOC_CEILING));
    this.#lastGoodReadAt = this.#clock.now();
    return values;
  }

  #assertReadable(tag: string): void {
    if (!this.tags.readable.includes(tag))
      throw new DriverError('UNKNOWN_TAG', `${this.sourceDescription} has no readable tag ${tag}`, { tag });
  }

  /** A reading outside a tag's plausible range means a corrupt or misread answer: the whole read is refused. */
  #checkBounds(values: ReadonlyMap<string, Decimal>): void {
    for (const [name, value] of values) {
      const def = this.#profile.tags[name];
      if (def) checkReadBounds(name, def, value.toNumber(), this.sourceDescription);
    }
  }

  /**
   * A silent pack or a lost connection drops the link (then it reconnects); a bad answer, or a time limit
   * spent waiting behind other packs on the bus, leaves it up.
   */
  async #guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      const error =
        err instanceof DriverError ? err : new DriverError('EXCEPTION', String(err), {}, err as Error);
      if (error.isConnectionError && error.details.source !== BUS_BUSY) this.#supervisor.lost(error.message);
      throw error;
    }
  }
}

function need<T>(decoded: Decoded<T>): T {
  if (!decoded.ok) throw decoded.error;
  return decoded.value;
}
