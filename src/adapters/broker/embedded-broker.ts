import { createServer, type Server } from 'node:net';
import type { Duplex } from 'node:stream';
import { Aedes, type AedesOptions } from 'aedes';
import { createWebSocketStream, WebSocketServer } from 'ws';
import type { Logger } from '../../log.js';
import { duplexPair } from './duplex-pair.js';
import { PacketSizeGuard } from './packet-size-guard.js';

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  /** When the port is taken, try the next ones (up to 16) instead of failing. */
  fallback: boolean;
  /** Also serve MQTT over WebSocket on this port (browser apps, ws:// URLs); null: no WebSocket listener. */
  wsPort?: number | null;
  /** Largest MQTT packet a client may send; a bigger one ends its connection before it is buffered. */
  maxPacketBytes?: number | null;
  /** aedes hooks: authenticate, authorizePublish, authorizeSubscribe. */
  hooks?: Pick<AedesOptions, 'authenticate' | 'authorizePublish' | 'authorizeSubscribe'>;
  log: Logger;
}

export interface EmbeddedBroker {
  /** A connection to the broker inside the process, for swapd's own client (no port involved). */
  connectInProcess(): Duplex;
  /**
   * Opens the TCP (and WebSocket) listeners: called once swapd's own subscriptions exist, so that no
   * client can publish a request before anyone subscribes to it (a QoS 1 message without a subscriber
   * is dropped by the broker).
   */
  listen(): Promise<EmbeddedListeners>;
  close(): Promise<void>;
}

export interface EmbeddedListeners {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  /** ws://host:port when the WebSocket listener is on. */
  readonly wsUrl: string | null;
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

async function listenWithFallback(server: Server, options: EmbeddedBrokerOptions): Promise<number> {
  const attempts = options.fallback && options.port !== 0 ? 16 : 1;
  for (let i = 0; i < attempts; i++) {
    const port = options.port + i;
    try {
      return await listen(server, options.host, port);
    } catch (err) {
      const busy = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
      if (!busy || i === attempts - 1) throw err;
      options.log.warn({ port }, 'MQTT port is taken (another broker?); trying the next one');
    }
  }
  throw new Error('unreachable');
}

type Guard = (conn: Duplex) => Duplex;

/** Every client connection through the packet size guard, when a limit is set. */
function packetGuard(options: EmbeddedBrokerOptions): Guard {
  const limit = options.maxPacketBytes;
  if (limit == null) return (conn) => conn;
  return (conn) =>
    new PacketSizeGuard(conn, limit, (err) =>
      options.log.warn({ size: err.size, limit }, 'MQTT packet over the limit; connection closed'),
    );
}

/** MQTT over WebSocket: each connection becomes a stream for aedes, with TCP_NODELAY on its socket. */
async function startWebSocketListener(aedes: Aedes, host: string, port: number, guard: Guard) {
  const wss = new WebSocketServer({ host, port });
  wss.on('connection', (socket, request) => {
    request.socket.setNoDelay(true);
    const stream = createWebSocketStream(socket);
    stream.on('error', () => socket.terminate());
    aedes.handle(guard(stream), request);
  });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', () => resolve());
    wss.once('error', reject);
  });
  const address = wss.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}

/**
 * An in-process aedes broker. Its TCP server has TCP_NODELAY (without it a request/response loop is
 * capped near 23 round trips/s by Nagle's algorithm meeting delayed ACKs). Nothing listens until
 * `listen()`; swapd's own client connects in-process before that.
 */
export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const aedes = await Aedes.createBroker({ ...options.hooks });
  const guard = packetGuard(options);
  const server = createServer({ noDelay: true }, (socket) => aedes.handle(guard(socket)));
  server.on('error', (err) => options.log.warn({ err }, 'embedded broker listener error'));
  let ws: Awaited<ReturnType<typeof startWebSocketListener>> | null = null;
  let listening = false;
  const closeAedes = () => new Promise<void>((resolve) => aedes.close(() => resolve()));
  return {
    connectInProcess() {
      const [ours, theirs] = duplexPair();
      aedes.handle(theirs);
      return ours;
    },
    async listen() {
      const port = await listenWithFallback(server, options);
      listening = true;
      const shownHost = options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
      if (options.wsPort != null)
        ws = await startWebSocketListener(aedes, options.host, options.wsPort, guard);
      return {
        host: options.host,
        port,
        url: `mqtt://${shownHost}:${port}`,
        wsUrl: ws ? `ws://${shownHost}:${ws.port}` : null,
      };
    },
    close: async () => {
      await ws?.close();
      if (listening) await new Promise<void>((resolve) => server.close(() => resolve()));
      await closeAedes();
    },
  };
}
