import { createServer, type Server, type Socket } from 'node:net';

export interface RecordedExchange {
  /** MBAP request, transaction id zeroed, hex. */
  request: string;
  response: string;
}

/** A Modbus TCP device that only knows recorded exchanges: it answers a request whose bytes match. */
export async function startReplayDevice(
  exchanges: readonly RecordedExchange[],
): Promise<{ port: number; close(): Promise<void> }> {
  const answers = new Map(exchanges.map((e) => [e.request.slice(4), Buffer.from(e.response, 'hex')]));
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('data', (chunk: Buffer) => {
      for (let at = 0; at + 12 <= chunk.length; at += 12) {
        const request = chunk.subarray(at, at + 12);
        const answer = answers.get(request.subarray(2).toString('hex'));
        if (!answer) continue;
        const out = Buffer.from(answer);
        request.copy(out, 0, 0, 2);
        socket.write(out);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
