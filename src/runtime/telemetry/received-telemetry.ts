import type { AssetTelemetry, TelemetryPayload } from '../../ports/telemetry.js';
import type { Spec003Envelope } from '../../validation/spec003/spec003-validator.js';

type TelemetryMessage = Spec003Envelope<TelemetryPayload>;

/**
 * A battery's latest reading as the cache holds it: the checked message's JSON text, parsed again only
 * when someone reads it (a swap asking for the battery's kWh, the status page). A stream of many
 * batteries replaces each reading within a fraction of a second, yet long enough for the garbage
 * collector to promote what is held: one flat string costs it far less than the parsed object tree.
 */
export class ReceivedTelemetry implements AssetTelemetry {
  readonly assetId: string;
  readonly siteId: string;
  readonly measuredAt: Date;
  readonly receivedAt: Date;
  /** The message as received; it passed the SPEC-003 schemas, so it parses. */
  readonly text: string;
  #message: TelemetryMessage | undefined;

  constructor(fields: { assetId: string; siteId: string; measuredAt: Date; receivedAt: Date; text: string }) {
    this.assetId = fields.assetId;
    this.siteId = fields.siteId;
    this.measuredAt = fields.measuredAt;
    this.receivedAt = fields.receivedAt;
    this.text = fields.text;
  }

  get message(): TelemetryMessage {
    this.#message ??= JSON.parse(this.text) as TelemetryMessage;
    return this.#message;
  }
}
