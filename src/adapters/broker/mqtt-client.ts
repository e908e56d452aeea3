import type { Duplex } from 'node:stream';
import mqtt, { type IClientOptions, MqttClient } from 'mqtt';
import type { TopicMatcher } from '../../access/topic-filter.js';
import type { Logger } from '../../log.js';
import type { BrokerClient, InboundMessage, MessageHandler, PublishOptions } from '../../ports/broker.js';
import { subscriptionMatcher } from './topic-filter.js';

export interface MqttClientOptions {
  url: string;
  clientId: string;
  username?: string | null;
  password?: string | null;
  /** MQTT 5 lets requesters name a response topic; 4 (3.1.1) for brokers that lack 5. */
  protocolVersion?: 4 | 5;
  log: Logger;
  reconnectPeriodMs?: number;
  /** mqtts:// and wss://: trust this CA, present this client certificate; the server is verified unless told not to. */
  tls?: BrokerTlsOptions | null;
  /**
   * MQTT 5 Maximum Packet Size: the broker must not send swapd a larger packet (it drops it instead), so
   * an oversized message is never received, let alone buffered. Ignored in MQTT 3.1.1, which has no such
   * limit.
   */
  maxPacketBytes?: number | null;
}

export interface BrokerTlsOptions {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized: boolean;
}

/** Nagle's algorithm on our side of a request/response loop costs ~40 ms per answer: off, on every connection. */
function noDelay(client: MqttClient): void {
  const socket = client.stream as unknown as { setNoDelay?: (on: boolean) => void } | undefined;
  socket?.setNoDelay?.(true);
}

/** mqtt.js behind the BrokerClient port: reconnects by itself and re-subscribes after each reconnect. */
class MqttJsBroker implements BrokerClient {
  readonly #client: MqttClient;
  readonly #handlers: { matches: TopicMatcher; handler: MessageHandler }[] = [];
  readonly #listeners: ((connected: boolean) => void)[] = [];

  constructor(client: MqttClient, log: Logger) {
    this.#client = client;
    client.on('message', (topic, payload, packet) => {
      const props = packet.properties;
      const message: InboundMessage = {
        topic,
        payload,
        ...(props?.responseTopic ? { responseTopic: props.responseTopic } : {}),
        ...(props?.correlationData ? { correlationData: props.correlationData } : {}),
      };
      const levels = topic.split('/');
      for (const { matches, handler } of this.#handlers) if (matches(topic, levels)) handler(message);
    });
    noDelay(client);
    client.on('connect', () => {
      noDelay(client);
      log.info('connected to MQTT broker');
      for (const l of this.#listeners) l(true);
    });
    client.on('close', () => {
      for (const l of this.#listeners) l(false);
    });
    client.on('reconnect', () => log.debug('reconnecting to MQTT broker'));
    client.on('error', (err) => log.warn({ err }, 'MQTT client error'));
  }

  get connected(): boolean {
    return this.#client.connected;
  }

  onConnectionChange(listener: (connected: boolean) => void): void {
    this.#listeners.push(listener);
  }

  async subscribe(filters: readonly string[], handler: MessageHandler): Promise<void> {
    this.#handlers.push({ matches: subscriptionMatcher(filters), handler });
    // resubscribe (mqtt.js default) renews these subscriptions after every reconnect.
    await this.#client.subscribeAsync([...filters], { qos: 1 });
  }

  publish(topic: string, payload: string | Buffer, options: PublishOptions): Promise<void> {
    if (!this.#client.connected) return Promise.reject(new Error('MQTT broker not connected'));
    const properties = options.correlationData ? { correlationData: options.correlationData } : undefined;
    return new Promise((resolve, reject) => {
      this.#client.publish(
        topic,
        payload,
        { qos: options.qos, retain: options.retain ?? false, properties },
        (err) => (err ? reject(err) : resolve()),
      );
    });
  }

  async close(): Promise<void> {
    await this.#client.endAsync();
  }
}

function refusedProtocol(err: unknown): boolean {
  return (
    (err as { code?: unknown }).code === 1 ||
    /unacceptable protocol version/i.test(String((err as Error).message))
  );
}

/**
 * Connects (mqtt://, mqtts://, ws://, wss://); resolves once connected the first time. MQTT 5 first
 * (response topics); a broker that only speaks 3.1.1 (aedes) is asked again in 3.1.1.
 */
export async function connectBroker(options: MqttClientOptions): Promise<BrokerClient> {
  const version = options.protocolVersion ?? 5;
  try {
    return await connectWith(options, version);
  } catch (err) {
    if (version !== 5 || !refusedProtocol(err)) throw err;
    options.log.info('the broker does not speak MQTT 5; using MQTT 3.1.1');
    return connectWith(options, 4);
  }
}

function tlsOptions(tls: BrokerTlsOptions): Partial<IClientOptions> {
  return {
    rejectUnauthorized: tls.rejectUnauthorized,
    ...(tls.ca ? { ca: tls.ca } : {}),
    ...(tls.cert ? { cert: tls.cert } : {}),
    ...(tls.key ? { key: tls.key } : {}),
  };
}

/**
 * mqtt.js traces every packet through the `debug` package, and asking it whether tracing is on costs a
 * visible share of a telemetry stream's CPU. Unless DEBUG names mqtt.js, its tracing is switched off.
 */
const DEBUG = process.env.DEBUG ?? '';
const mqttTracing = DEBUG.includes('mqttjs') || DEBUG.split(/[\s,]+/).includes('*');
const noTrace = (): void => {};

async function connectWith(options: MqttClientOptions, protocolVersion: 4 | 5): Promise<BrokerClient> {
  const clientOptions: IClientOptions = {
    ...(mqttTracing ? {} : { log: noTrace }),
    clientId: options.clientId,
    protocolVersion,
    reconnectPeriod: options.reconnectPeriodMs ?? 1000,
    connectTimeout: 10_000,
    clean: true,
    queueQoSZero: false,
    ...(options.username ? { username: options.username } : {}),
    ...(options.password ? { password: options.password } : {}),
    ...(options.tls ? tlsOptions(options.tls) : {}),
    ...(protocolVersion === 5 && options.maxPacketBytes
      ? { properties: { maximumPacketSize: options.maxPacketBytes } }
      : {}),
  };
  const client = await mqtt.connectAsync(options.url, clientOptions);
  return new MqttJsBroker(client, options.log.child({ component: 'mqtt' }));
}

/**
 * Attaches to a broker inside the process over in-memory streams (the embedded aedes, MQTT 3.1.1);
 * `open` gives a fresh connection for the first connect and for every reconnect.
 */
export async function connectInProcess(options: {
  clientId: string;
  open: () => Duplex;
  /** The login the broker's authenticate hook expects (per-start credentials when it has users). */
  username?: string | null;
  password?: string | null;
  log: Logger;
}): Promise<BrokerClient> {
  const client = new MqttClient(() => options.open() as unknown as ReturnType<MqttClient['streamBuilder']>, {
    clientId: options.clientId,
    ...(mqttTracing ? {} : { log: noTrace }),
    ...(options.username ? { username: options.username } : {}),
    ...(options.password ? { password: options.password } : {}),
    protocolVersion: 4,
    reconnectPeriod: 1000,
    clean: true,
    queueQoSZero: false,
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  return new MqttJsBroker(client, options.log.child({ component: 'mqtt' }));
}
