import mqtt, { type MqttClient } from 'mqtt';
import { requestSchemas } from '../../src/router/routes.js';
import { ENVELOPE_RESPONSE, messageSchemas, RESPONSE } from '../../src/validation/message-schemas.js';
import { MessageValidator } from '../../src/validation/message-validator.js';

const validator = new MessageValidator(messageSchemas(requestSchemas()));

/** Every message swapd sends must match its schema: responses by shape, events by event_type. */
function schemaProblems(topic: string, body: Record<string, unknown>): string | null {
  const name = topic.startsWith('event/')
    ? `event:${String(body.event_type)}`
    : topic.startsWith('rtrn/') || topic.startsWith('echo/')
      ? 'actor' in body
        ? ENVELOPE_RESPONSE
        : RESPONSE
      : null;
  if (!name) return null;
  const result = validator.validate(name, body);
  return result.ok ? null : `${topic}: ${result.details.map((d) => `${d.path} ${d.message}`).join('; ')}`;
}

export interface Response {
  topic: string;
  body: Record<string, unknown>;
}

/**
 * The attendant app's side: publishes requests and collects responses by correlation_id.
 * Also records every message on the topics it watches (events).
 */
export class Requester {
  readonly client: MqttClient;
  readonly received: Response[] = [];
  /** Messages from swapd that did not match their schema (the harness fails the test file on any). */
  readonly invalid: string[] = [];
  readonly #waiters = new Map<string, ((r: Response) => void)[]>();

  private constructor(client: MqttClient) {
    this.client = client;
    client.on('message', (topic, payload) => {
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(payload.toString()) as Record<string, unknown>;
      } catch {
        return;
      }
      const response = { topic, body };
      this.received.push(response);
      const problem = schemaProblems(topic, body);
      if (problem) this.invalid.push(problem);
      const id = (body.correlation_id ?? null) as string | null;
      const key = `${topic}|${id}`;
      const list = this.#waiters.get(key);
      const next = list?.shift();
      if (next) next(response);
    });
  }

  static async connect(
    url: string,
    filters: string[] = ['rtrn/#', 'echo/#'],
    protocolVersion: 4 | 5 = 4,
    options: mqtt.IClientOptions = {},
  ) {
    const client = await mqtt.connectAsync(url, { protocolVersion, reconnectPeriod: 200, ...options });
    await client.subscribeAsync(filters, { qos: 1 });
    return new Requester(client);
  }

  /** Sends a raw payload and waits for the response on the matching response topic. */
  request(
    topic: string,
    payload: string | Record<string, unknown>,
    correlationId: string | null,
    timeoutMs = 10_000,
  ) {
    const responseTopic = topic
      .replace(/^call\//, 'rtrn/')
      .replace(/^emit\//, 'echo/')
      .replace(/^(rtrn|echo)\/[^/]+\//, '$1/abs/');
    const key = `${responseTopic}_response|${correlationId}`;
    const promise = new Promise<Response>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no response for ${key}`)), timeoutMs);
      const list = this.#waiters.get(key) ?? [];
      list.push((r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.#waiters.set(key, list);
    });
    const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
    this.client.publish(topic, text, { qos: 1 });
    return promise;
  }

  /** A flat request to an attendant operation; returns the response body. */
  async call(
    planId: string,
    operation: string,
    body: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    const topic = `call/uxi/attendant/plan/${planId}/${operation}`;
    const response = await this.request(topic, body, (body.correlation_id as string) ?? null);
    return response.body;
  }

  async waitFor(predicate: (r: Response) => boolean, timeoutMs = 10_000): Promise<Response> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = this.received.find(predicate);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('expected message did not arrive');
  }

  async close(): Promise<void> {
    await this.client.endAsync();
    if (this.invalid.length > 0)
      throw new Error(`swapd sent messages that break their schemas:\n${this.invalid.join('\n')}`);
  }
}
