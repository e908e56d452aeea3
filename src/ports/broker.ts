/** What swapd needs of an MQTT broker connection: the subset the router, outbox and telemetry use. */
export interface InboundMessage {
  topic: string;
  payload: Buffer;
  /** MQTT 5 Response Topic, when the requester set one. */
  responseTopic?: string;
  /** MQTT 5 Correlation Data, echoed on the response. */
  correlationData?: Buffer;
}

export interface PublishOptions {
  qos: 0 | 1;
  retain?: boolean;
  correlationData?: Buffer;
}

export type MessageHandler = (message: InboundMessage) => void;

export interface BrokerClient {
  /** Subscribes at QoS 1; the handler receives the messages its filters match. Re-subscribed after reconnects. */
  subscribe(filters: readonly string[], handler: MessageHandler): Promise<void>;
  /** Resolves when the broker acknowledged (QoS 1) or the packet was written (QoS 0); rejects when offline. */
  publish(topic: string, payload: string | Buffer, options: PublishOptions): Promise<void>;
  readonly connected: boolean;
  /** Called with true on every (re)connect and false on every disconnect. */
  onConnectionChange(listener: (connected: boolean) => void): void;
  close(): Promise<void>;
}
