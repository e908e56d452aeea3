import type { AssetTelemetry, TelemetryPayload } from '../../ports/telemetry.js';
import type { Spec003Envelope } from '../../validation/spec003/spec003-validator.js';

type TelemetryMessage = Spec003Envelope<TelemetryPayload>;

/**
 * A battery's latest reading as the cache holds it: the checked message's JSON text, parsed again only
 * when someone reads it (a swap asking for the battery's kWh, the status page), and its two instants as
 * epoch milliseconds, turned into Dates only when asked. A stream of many batteries replaces each
 * reading within a fraction of a second, yet long enough for the garbage collector to promote what is
 * held: one flat string and two numbers cost it far less than a parsed object tree and two Dates.
 */
export class ReceivedTelemetry implements AssetTelemetry {
  readonly assetId: string;
  readonly siteId: string;
  /** The envelope's timestamp, epoch ms. */
  readonly measuredMs: number;
  readonly receivedMs: number;
  /** The message as received; it passed the SPEC-003 schemas, so it parses. */
  readonly text: string;
  #message: TelemetryMessage | undefined;
  #measuredAt: Date | undefined;
  #receivedAt: Date | undefined;

  constructor(fields: {
    assetId: string;
    siteId: string;
    measuredMs: number;
    receivedMs: number;
    text: string;
  }) {
    this.assetId = fields.assetId;
    this.siteId = fields.siteId;
    this.measuredMs = fields.measuredMs;
    this.receivedMs = fields.receivedMs;
    this.text = fields.text;
  }

  get measuredAt(): Date {
    this.#measuredAt ??= new Date(this.measuredMs);
    return this.#measuredAt;
  }

  get receivedAt(): Date {
    this.#receivedAt ??= new Date(this.receivedMs);
    return this.#receivedAt;
  }

  get message(): TelemetryMessage {
    this.#message ??= JSON.parse(this.text) as TelemetryMessage;
    return this.#message;
  }
}

/** A reading's measurement instant in epoch ms, without building a Date for a received one. */
export function measuredMsOf(reading: AssetTelemetry): number {
  return reading instanceof ReceivedTelemetry ? reading.measuredMs : reading.measuredAt.getTime();
}
