import type { Logger } from '../../log.js';
import type { BrokerClient } from '../../ports/broker.js';
import type { Clock } from '../../ports/clock.js';
import type { Scheduler } from '../../ports/scheduler.js';
import type { SlotReadings } from '../../ports/slot-readings.js';
import type { SwapEnergySource } from '../../ports/telemetry.js';
import type { Spec003Envelope, Spec003Validator } from '../../validation/spec003/spec003-validator.js';
import {
  type CarbonSettings,
  dailyCarbon,
  type StationIdentity,
  slotTelemetry,
  stationAggregate,
} from './station-messages.js';
import type { TelemetryMetrics } from './telemetry-metrics.js';

export interface PublisherSettings extends StationIdentity {
  intervalMs: number;
  fleetIntervalMs: number;
  qos: 0 | 1;
  /** null: no carbon_metric (no grid intensity configured). */
  carbon: CarbonSettings | null;
}

const DAY_MS = 86_400_000;
const MAX_LOGGED = 200;

/**
 * The station role's SPEC-003 publisher: `telemetry` for every occupied slot each interval (from the
 * shared slot readings, no Modbus of its own), `fleet_aggregate` for the station, and `carbon_metric`
 * once per UTC day. Every message is validated first: an invalid one is not sent, is counted, and its
 * cause is logged once. It runs on its own schedule and never waits on the broker: when the broker is
 * down, telemetry is dropped (a stream) and counted.
 */
export class TelemetryPublisher {
  readonly #broker: BrokerClient;
  readonly #readings: SlotReadings;
  readonly #validator: Spec003Validator;
  readonly #metrics: TelemetryMetrics;
  readonly #clock: Clock;
  readonly #scheduler: Scheduler;
  readonly #log: Logger;
  readonly #settings: PublisherSettings;
  readonly #energy: SwapEnergySource | null;
  readonly #onPublished: (message: Spec003Envelope) => void;
  readonly #loggedCauses = new Set<string>();
  readonly #cancels: (() => void)[] = [];
  #cycle = 0;
  #carbonDay: number;

  constructor(deps: {
    broker: BrokerClient;
    readings: SlotReadings;
    validator: Spec003Validator;
    metrics: TelemetryMetrics;
    clock: Clock;
    scheduler: Scheduler;
    log: Logger;
    settings: PublisherSettings;
    energy: SwapEnergySource | null;
    /** Told of every message handed to the broker (the status API keeps the site's latest). */
    onPublished?: (message: Spec003Envelope) => void;
  }) {
    this.#broker = deps.broker;
    this.#readings = deps.readings;
    this.#validator = deps.validator;
    this.#metrics = deps.metrics;
    this.#clock = deps.clock;
    this.#scheduler = deps.scheduler;
    this.#log = deps.log.child({ component: 'telemetry-publisher' });
    this.#settings = deps.settings;
    this.#energy = deps.energy;
    this.#onPublished = deps.onPublished ?? (() => undefined);
    this.#carbonDay = Math.floor(this.#clock.now().getTime() / DAY_MS);
  }

  start(): void {
    const s = this.#settings;
    this.#cancels.push(this.#scheduler.every(s.intervalMs, () => this.publishSlots()));
    this.#cancels.push(this.#scheduler.every(s.fleetIntervalMs, () => this.publishAggregate()));
    if (s.carbon) this.#cancels.push(this.#scheduler.every(60_000, () => this.publishCarbonWhenDayEnds()));
  }

  stop(): void {
    for (const cancel of this.#cancels.splice(0)) cancel();
  }

  /** Fresh readings of occupied slots: a reading older than two periods is not a current measurement. */
  #occupied() {
    const now = this.#clock.now().getTime();
    return this.#readings
      .all()
      .filter((r) => r.assetId !== null && now - r.readAt.getTime() <= 2 * this.#settings.intervalMs);
  }

  publishSlots(): void {
    this.#cycle++;
    for (const reading of this.#occupied()) this.#send(slotTelemetry(this.#settings, reading, this.#cycle));
  }

  publishAggregate(): void {
    this.#send(stationAggregate(this.#settings, this.#occupied(), this.#clock.now()));
  }

  /** After a UTC midnight, the day that ended: energy its swaps delivered and the CO₂ avoided. */
  async publishCarbonWhenDayEnds(): Promise<void> {
    const carbon = this.#settings.carbon;
    const today = Math.floor(this.#clock.now().getTime() / DAY_MS);
    if (!carbon || !this.#energy || today === this.#carbonDay) return;
    const day = today - 1;
    try {
      const from = new Date(day * DAY_MS);
      const kwh = await this.#energy.deliveredKwh(this.#settings.siteId, from, new Date(today * DAY_MS));
      this.#carbonDay = today;
      this.#send(dailyCarbon(this.#settings, carbon, kwh, new Date(today * DAY_MS - 1000)));
    } catch (err) {
      this.#log.warn({ err }, "the day's swap energy could not be read; carbon_metric retried in a minute");
    }
  }

  #send(message: Spec003Envelope): void {
    const type = message.message_type;
    const checked = this.#validator.validate(message);
    if (!checked.ok) {
      const first = checked.details[0];
      const cause = first ? `${first.path} ${first.message}` : 'invalid';
      this.#metrics.publishInvalid.inc({ message_type: type, cause });
      this.#logOnce(`${type}:${cause}`, { message_type: type, details: checked.details });
      return;
    }
    if (!this.#broker.connected) {
      this.#metrics.publishDropped.inc({ message_type: type });
      return;
    }
    const topic = `bessai/${message.site_id}/${type}`;
    this.#broker.publish(topic, JSON.stringify(message), { qos: this.#settings.qos }).then(
      () => this.#metrics.published.inc({ message_type: type }),
      () => this.#metrics.publishDropped.inc({ message_type: type }),
    );
    this.#onPublished(message);
  }

  #logOnce(key: string, fields: Record<string, unknown>): void {
    if (this.#loggedCauses.has(key) || this.#loggedCauses.size >= MAX_LOGGED) return;
    this.#loggedCauses.add(key);
    this.#log.warn(fields, 'SPEC-003 message not sent: it fails its schema (logged once per cause)');
  }
}
