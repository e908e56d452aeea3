import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type Server } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer } from 'node:tls';
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
  /** aedes hooks: authenticate, authorizePublish, authorizeSubscribe, authorizeForward. */
  hooks?: Pick<AedesOptions, 'authenticate' | 'authorizePublish' | 'authorizeSubscribe' | 'authorizeForward'>;
  /** TLS listeners (mqtts, wss) with this certificate and key (PEM files). */
  tls?: EmbeddedTlsOptions | null;
  log: Logger;
}

export interface EmbeddedTlsOptions {
  certFile: string;
  keyFile: string;
  /** mqtts:// port (0 = any free port); null: none. */
  port: number | null;
  /** wss:// port (0 = any free port); null: none. */
  wssPort: number | null;
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
  /** mqtts://host:port when the TLS listener is on. */
  readonly tlsUrl: string | null;
  /** wss://host:port when the secure WebSocket listener is on. */
  readonly wssUrl: string | null;
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

interface Listener {
  port: number;
  close(): Promise<void>;
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
async function startWebSocketListener(
  aedes: Aedes,
  host: string,
  port: number,
  guard: Guard,
  tls: { cert: Buffer; key: Buffer } | null = null,
): Promise<Listener> {
  const https = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }) : null;
  const wss = https ? new WebSocketServer({ server: https }) : new WebSocketServer({ host, port });
  wss.on('error', () => {});
  wss.on('connection', (socket, request) => {
    request.socket.setNoDelay(true);
    const stream = createWebSocketStream(socket);
    stream.on('error', () => socket.terminate());
    aedes.handle(guard(stream), request);
  });
  const bound = https
    ? await listen(https as unknown as Server, host, port)
    : await new Promise<number>((resolve, reject) => {
        wss.once('listening', () => {
          const address = wss.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
        wss.once('error', reject);
      });
  return {
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => (https ? https.close(() => resolve()) : resolve()));
      }),
  };
}

/** MQTT over TLS (mqtts://), TCP_NODELAY on each connection. */
async function startTlsListener(
  aedes: Aedes,
  host: string,
  port: number,
  cert: Buffer,
  key: Buffer,
  guard: Guard,
): Promise<Listener> {
  const server = createTlsServer({ cert, key }, (socket) => {
    socket.setNoDelay(true);
    aedes.handle(guard(socket));
  });
  server.on('tlsClientError', () => {});
  const bound = await listen(server as unknown as Server, host, port);
  return { port: bound, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function startTls(aedes: Aedes, host: string, tls: EmbeddedTlsOptions, guard: Guard) {
  const cert = readFileSync(tls.certFile);
  const key = readFileSync(tls.keyFile);
  const mqtts = tls.port === null ? null : await startTlsListener(aedes, host, tls.port, cert, key, guard);
  try {
    const wss =
      tls.wssPort === null
        ? null
        : await startWebSocketListener(aedes, host, tls.wssPort, guard, { cert, key });
    return { mqtts, wss };
  } catch (err) {
    await mqtts?.close();
    throw err;
  }
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
  let ws: Listener | null = null;
  let secure: { mqtts: Listener | null; wss: Listener | null } = { mqtts: null, wss: null };
  let listening = false;
  const closeAedes = () => new Promise<void>((resolve) => aedes.close(() => resolve()));
  const closeListeners = async () => {
    await ws?.close();
    await secure.wss?.close();
    await secure.mqtts?.close();
    ws = null;
    secure = { mqtts: null, wss: null };
    if (listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    listening = false;
  };
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
      try {
        if (options.wsPort != null)
          ws = await startWebSocketListener(aedes, options.host, options.wsPort, guard);
        if (options.tls) secure = await startTls(aedes, options.host, options.tls, guard);
      } catch (err) {
        await closeListeners();
        throw err;
      }
      return {
        host: options.host,
        port,
        url: `mqtt://${shownHost}:${port}`,
        wsUrl: ws ? `ws://${shownHost}:${ws.port}` : null,
        tlsUrl: secure.mqtts ? `mqtts://${shownHost}:${secure.mqtts.port}` : null,
        wssUrl: secure.wss ? `wss://${shownHost}:${secure.wss.port}` : null,
      };
    },
    close: async () => {
      await closeListeners();
      await closeAedes();
    },
  };
}
