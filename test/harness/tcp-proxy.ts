import { connect, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy the test controls, between swapd and a real server (Postgres): it can reset every open
 * connection at once, reset them on the next byte the client sends (a cut in the middle of a query),
 * and refuse new connections until it is told to accept again. Loopback only.
 */
export interface TcpProxy {
  readonly port: number;
  /** Connections currently open through the proxy. */
  readonly open: number;
  /** Resets (TCP RST) every open connection now. */
  cutAll(): void;
  /** Resets each open connection the moment its client next sends something (a query in flight). */
  /**
   * Resets the next connection that sends: any send, or only one whose bytes contain `containing`
   * (e.g. a prepared statement's name), so background queries do not take the cut meant for a request.
   */
  cutOnNextSend(containing?: string): void;
  /** New connections are reset at once (the server looks down); open ones are cut too. */
  refuse(): void;
  /** New connections go through again. */
  accept(): void;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  server: Socket;
  cutOnSend: boolean | string;
}

function reset(socket: Socket): void {
  if (!socket.destroyed) socket.resetAndDestroy();
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let refusing = false;
  const cut = (pair: Pair) => {
    reset(pair.client);
    reset(pair.server);
    pairs.delete(pair);
  };
  const server = createServer((client) => {
    client.on('error', () => {});
    if (refusing) return reset(client);
    const upstream = connect(targetPort, targetHost);
    upstream.on('error', () => {});
    const pair: Pair = { client, server: upstream, cutOnSend: false };
    pairs.add(pair);
    client.on('data', (chunk) => {
      const marked = pair.cutOnSend;
      if (marked === true || (typeof marked === 'string' && chunk.includes(marked))) return cut(pair);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => client.write(chunk));
    client.on('close', () => cut(pair));
    upstream.on('close', () => cut(pair));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    get open() {
      return pairs.size;
    },
    cutAll: () => {
      for (const pair of [...pairs]) cut(pair);
    },
    cutOnNextSend: (containing?: string) => {
      for (const pair of pairs) pair.cutOnSend = containing ?? true;
    },
    refuse: () => {
      refusing = true;
      for (const pair of [...pairs]) cut(pair);
    },
    accept: () => {
      refusing = false;
    },
    close: async () => {
      refusing = true;
      for (const pair of [...pairs]) cut(pair);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
