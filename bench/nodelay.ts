import net, { type Socket } from 'node:net';
import type { MqttClient } from 'mqtt';

/** TCP_NODELAY on a bench client's own socket (the bench's clients must not be the Nagle bottleneck). */
export function noDelay(client: MqttClient): MqttClient {
  (client.stream as Partial<Socket>).setNoDelay?.(true);
  return client;
}

let patched = false;

/**
 * Experiment (--client-nodelay): every TCP connection this process opens gets TCP_NODELAY, swapd's own
 * MQTT client included. Shows what setting it in src/adapters/broker/mqtt-client.ts would change.
 */
export function forceClientNoDelay(): void {
  if (patched) return;
  patched = true;
  const original = net.createConnection;
  const wrapped = ((...args: Parameters<typeof net.createConnection>) => {
    const socket = original(...args);
    socket.setNoDelay(true);
    return socket;
  }) as typeof net.createConnection;
  net.createConnection = wrapped;
  net.connect = wrapped;
}
