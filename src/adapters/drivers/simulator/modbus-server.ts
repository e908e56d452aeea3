import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../../../log.js';
import type { FrameCodec, RequestFrame } from './modbus-frames.js';
import { mbapCodec, rtuCodec } from './modbus-frames.js';
import { exceptionPdu, handlePdu } from './pdu-handler.js';
import type { SimCounters } from './sim-counters.js';
import type { SimFaults } from './sim-faults.js';
import type { StationCabinet } from './station-cabinet.js';

export type Framing = 'tcp' | 'rtu';

export interface ServerDeps {
  cabinet: StationCabinet;
  counters: SimCounters;
  faults: SimFaults;
  framing: Framing;
  log: Logger;
  /** Called with every answered frame (request bytes, response bytes), for recording fixtures. */
  onFrame?: (request: Buffer, response: Buffer) => void;
}

/** A Modbus server on node:net: MBAP framing (Modbus TCP) or RTU framing over TCP (for a serial bridge). */
export class ModbusServer {
  readonly #deps: ServerDeps;
  readonly #codec: FrameCodec;
  readonly #sockets = new Set<Socket>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #server: Server | null = null;
  #host = '127.0.0.1';
  #port = 0;

  constructor(deps: ServerDeps) {
    this.#deps = deps;
    this.#codec = deps.framing === 'rtu' ? rtuCodec : mbapCodec;
  }

  get port(): number {
    return this.#port;
  }

  async listen(host: string, port: number): Promise<void> {
    const server = createServer({ noDelay: true }, (socket) => this.#accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    this.#port = typeof address === 'object' && address ? address.port : port;
    this.#host = host;
    this.#server = server;
  }

  /** Stops listening and drops every connection. */
  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    const server = this.#server;
    this.#server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Listens again on the same port after close(). */
  reopen(): Promise<void> {
    return this.listen(this.#host, this.#port);
  }

  #accept(socket: Socket): void {
    this.#deps.counters.connections += 1;
    this.#sockets.add(socket);
    socket.setNoDelay(true);
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      const { frames, rest, corrupt } = this.#codec.extract(Buffer.concat([pending, chunk]));
      pending = rest;
      for (const frame of frames) this.#handle(socket, frame);
      if (corrupt && this.#deps.framing === 'tcp') socket.destroy();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.#sockets.delete(socket));
  }

  #handle(socket: Socket, frame: RequestFrame): void {
    const { counters, faults, cabinet } = this.#deps;
    counters.recordRequest(frame.unitId, frame.pdu[0] ?? 0);
    const fault = faults.linkFaultFor(frame.unitId);
    if (fault?.kind === 'no-answer') return;
    if (fault?.kind === 'disconnect') {
      socket.destroy();
      return;
    }
    if (fault?.kind === 'garbage') {
      this.#send(socket, frame, Buffer.from([0x5a, 0xa5, 0xff, 0x00, 0x13]));
      return;
    }
    if (fault?.kind === 'exception') {
      this.#send(socket, frame, exceptionPdu(frame.pdu[0] ?? 0, fault.code));
      return;
    }
    if (!cabinet.unit(frame.unitId)) {
      if (this.#deps.framing === 'tcp') this.#send(socket, frame, exceptionPdu(frame.pdu[0] ?? 0, 0x0b));
      return;
    }
    const response = handlePdu(cabinet, counters, frame.unitId, frame.pdu);
    if (fault?.kind === 'slow') this.#later(fault.delayMs, () => this.#send(socket, frame, response));
    else this.#send(socket, frame, response);
  }

  #send(socket: Socket, frame: RequestFrame, pdu: Buffer): void {
    if (socket.destroyed) return;
    const bytes = this.#codec.encode(frame, pdu);
    this.#deps.onFrame?.(this.#codec.encode(frame, frame.pdu), bytes);
    socket.write(bytes);
  }

  #later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    this.#timers.add(timer);
  }
}
