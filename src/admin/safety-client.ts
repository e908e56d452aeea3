import type { SwapdConfig } from '../config/config.js';
import { ERROR_CATALOGUE, type ErrorCode, SwapdError } from '../errors.js';
import type { SlotSafetySnapshot } from '../ports/safety-snapshot.js';
import { readRuntimeNote } from '../runtime/runtime-file.js';

export interface ClearResult {
  device_id: string;
  outcome: 'cleared' | 'not_latched' | 'refused';
  reasons: string[];
}

/**
 * `swapd safety …` acts on the running process (the latch lives there): through its ops HTTP
 * endpoint, found with the ops token in the data directory's runtime note.
 */
export class SafetyClient {
  readonly #url: string;
  readonly #token: string;

  private constructor(url: string, token: string) {
    this.#url = url;
    this.#token = token;
  }

  static open(config: SwapdConfig): SafetyClient {
    const note = readRuntimeNote(config.data_dir);
    if (!note) {
      throw new SwapdError(
        'SERVICE_UNAVAILABLE',
        `swapd is not running with data directory ${config.data_dir}: safety commands act on the running process`,
      );
    }
    return new SafetyClient(note.http_url, note.ops_token);
  }

  async status(): Promise<SlotSafetySnapshot[]> {
    const reply = await this.#call('GET', '/api/v1/ops/safety');
    return reply.slots as SlotSafetySnapshot[];
  }

  /** Clears one slot (device id) or every latched slot (null); refusals come back in the results. */
  async clear(device: string | null, operator: string): Promise<ClearResult[]> {
    const body = device === null ? { all: true, operator } : { device, operator };
    const reply = await this.#call('POST', '/api/v1/ops/safety/clear', body, [409]);
    return reply.results as ClearResult[];
  }

  async #call(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    accepted: number[] = [],
  ): Promise<Record<string, unknown>> {
    const res = await fetch(`${this.#url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.#token}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }).catch((cause: unknown) => {
      throw new SwapdError('SERVICE_UNAVAILABLE', `cannot reach swapd at ${this.#url}`, { cause });
    });
    const reply = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (res.ok || accepted.includes(res.status)) return reply;
    const error = (reply.error ?? {}) as { code?: string; message?: string; details?: [] };
    const code = error.code && error.code in ERROR_CATALOGUE ? (error.code as ErrorCode) : 'INTERNAL_ERROR';
    throw new SwapdError(code, error.message ?? `HTTP ${res.status}`, { details: error.details ?? [] });
  }
}
