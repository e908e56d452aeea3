import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../../../log.js';
import { silentLogger } from '../../../log.js';
import type { SeplosProfile } from '../registry/device-profile.js';
import { isSeplosProfile } from '../registry/device-profile.js';
import { getProfile, loadRegistry } from '../registry/load-registry.js';
import type { SeplosFrame } from '../seplos/seplos-frame.js';
import {
  CID2,
  decodeFrame,
  encodeFrame,
  extractFrame,
  frameChecksum,
  lengthField,
  SEPLOS_CID1,
  SEPLOS_VERSION,
} from '../seplos/seplos-frame.js';
import { encodeManufacturer, encodeTelemetry, encodeTelesignal } from '../seplos/seplos-payload.js';
import type { BatterySpec } from './battery-model.js';
import { SeplosPack } from './seplos-pack.js';

export const SEPLOS_PROFILE_NAME = 'seplos_bms-v2';

/** Faults the pack simulator can inject on its answers. */
export type SeplosFault = (
  | { kind: 'no-answer' }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'bad-checksum' }
  | { kind: 'wrong-length' }
  | { kind: 'truncated' }
  | { kind: 'wrong-address' }
  | { kind: 'garbage' }
  | { kind: 'device-error'; rtn: number }
) & {
  /** Damage only this many answers, then answer normally again (default: until cleared). */
  times?: number;
};

export interface SeplosSimulatorOptions {
  port?: number;
  host?: string;
  /** Pack addresses on the bus (default 1..slots). */
  addresses?: readonly number[];
  slots?: number;
  /** Batteries placed at start (asset ids `BAT-000n`) when set. */
  fill?: { socPct?: number; capacityKwh?: number };
  autoStepMs?: number;
  log?: Logger;
}

export interface SeplosCounters {
  requests: number;
  byCid2: Map<number, number>;
  byAddress: Map<number, number>;
  invalidRequests: number;
}

export interface RunningSeplosSimulator {
  readonly host: string;
  readonly port: number;
  readonly addresses: readonly number[];
  readonly profile: SeplosProfile;
  readonly counters: SeplosCounters;
  /** `seplos-v2-tcp://host:port?address=n`. */
  url(address: number): string;
  pack(address: number): SeplosPack | null;
  placeBattery(address: number, spec: BatterySpec): SeplosPack;
  removeBattery(address: number): void;
  /** Injects a fault for one pack, or for all when the address is omitted. */
  fault(fault: SeplosFault, address?: number): void;
  clearFaults(): void;
  step(seconds: number): void;
  close(): Promise<void>;
}

const ALL = -1;

/**
 * A bus of simulated Seplos V2 packs behind one TCP listener (an RS-485-to-TCP gateway; `socat pty,...
 * tcp:host:port` turns it into a serial device). A pack answers only frames with its address and stays
 * silent otherwise, as on RS-485.
 */
export async function startSeplosSimulator(
  options: SeplosSimulatorOptions = {},
): Promise<RunningSeplosSimulator> {
  const host = options.host ?? '127.0.0.1';
  const addresses = options.addresses ?? Array.from({ length: options.slots ?? 4 }, (_, i) => i + 1);
  const profile = getProfile(loadRegistry(), SEPLOS_PROFILE_NAME);
  if (!isSeplosProfile(profile)) throw new TypeError(`${SEPLOS_PROFILE_NAME} is not a Seplos profile`);
  const packs = new Map<number, SeplosPack | null>(addresses.map((a) => [a, null]));
  const faults = new Map<number, SeplosFault>();
  const counters: SeplosCounters = {
    requests: 0,
    byCid2: new Map(),
    byAddress: new Map(),
    invalidRequests: 0,
  };
  const log = (options.log ?? silentLogger()).child({ component: 'seplos-sim' });
  const bus = new SeplosBus(packs, faults, counters);
  const server = await listen(host, options.port ?? 0, bus);
  server.on('error', (err) => log.warn({ err }, 'Seplos pack simulator listener error'));
  const port = (server.address() as { port: number }).port;
  if (options.fill) {
    for (const a of addresses)
      packs.set(
        a,
        new SeplosPack(a, {
          assetId: `BAT-${String(a).padStart(4, '0')}`,
          socPct: options.fill.socPct ?? 40 + ((a * 7) % 60),
          capacityKwh: options.fill.capacityKwh ?? 5.12,
        }),
      );
  }
  const stepAll = (s: number) => {
    for (const p of packs.values()) p?.step(s);
  };
  const ticker = options.autoStepMs ? startTicker(stepAll, options.autoStepMs) : null;
  log.info({ host, port, addresses }, 'Seplos pack simulator listening');
  return {
    host,
    port,
    addresses,
    profile,
    counters,
    url: (address) => `seplos-v2-tcp://${host}:${port}?address=${address}`,
    pack: (address) => packs.get(address) ?? null,
    placeBattery: (address, spec) => {
      if (!packs.has(address)) throw new RangeError(`no pack address ${address} on the simulated bus`);
      const pack = new SeplosPack(address, spec);
      packs.set(address, pack);
      return pack;
    },
    removeBattery: (address) => {
      packs.set(address, null);
    },
    fault: (fault, address) => {
      faults.set(address ?? ALL, fault);
    },
    clearFaults: () => faults.clear(),
    step: stepAll,
    close: async () => {
      if (ticker) clearInterval(ticker);
      bus.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

class SeplosBus {
  readonly #sockets = new Set<Socket>();
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(
    readonly packs: Map<number, SeplosPack | null>,
    readonly faults: Map<number, SeplosFault>,
    readonly counters: SeplosCounters,
  ) {}

  accept(socket: Socket): void {
    this.#sockets.add(socket);
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        const extracted = extractFrame(pending);
        pending = extracted.rest;
        if (extracted.kind === 'incomplete') break;
        if (extracted.kind === 'garbage') this.counters.invalidRequests += 1;
        else this.#handle(socket, extracted.frame);
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.#sockets.delete(socket));
  }

  close(): void {
    for (const t of this.#timers) clearTimeout(t);
    for (const s of this.#sockets) s.destroy();
  }

  #handle(socket: Socket, bytes: Buffer): void {
    const decoded = decodeFrame(bytes);
    if (!decoded.ok || decoded.value.cid1 !== SEPLOS_CID1) {
      this.counters.invalidRequests += 1;
      return;
    }
    const request = decoded.value;
    const pack = this.packs.get(request.address);
    if (!pack) return;
    this.counters.requests += 1;
    this.counters.byCid2.set(request.cid2, (this.counters.byCid2.get(request.cid2) ?? 0) + 1);
    this.counters.byAddress.set(request.address, (this.counters.byAddress.get(request.address) ?? 0) + 1);
    const fault = this.#takeFault(request.address);
    if (fault?.kind === 'no-answer') return;
    const answer = faulty(answerFor(pack, request), fault);
    if (fault?.kind === 'slow') this.#later(socket, answer, fault.delayMs);
    else socket.write(answer);
  }

  #takeFault(address: number): SeplosFault | undefined {
    const key = this.faults.has(address) ? address : ALL;
    const fault = this.faults.get(key);
    if (fault?.times !== undefined) {
      if (fault.times <= 1) this.faults.delete(key);
      else this.faults.set(key, { ...fault, times: fault.times - 1 });
    }
    return fault;
  }

  #later(socket: Socket, bytes: Buffer, ms: number): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (!socket.destroyed) socket.write(bytes);
    }, ms);
    this.#timers.add(timer);
  }
}

/** The pack's answer: RTN 0 with the INFO of the command, or RTN 04 for a command it does not know. */
export function answerFor(pack: SeplosPack, request: SeplosFrame): SeplosFrame {
  const base = { version: SEPLOS_VERSION, address: pack.address, cid1: SEPLOS_CID1, cid2: 0 };
  switch (request.cid2) {
    case CID2.TELEMETRY:
      return { ...base, info: encodeTelemetry(pack.telemetry()) };
    case CID2.TELESIGNAL:
      return { ...base, info: encodeTelesignal(pack.telesignal()) };
    case CID2.MANUFACTURER:
      return { ...base, info: encodeManufacturer(pack.manufacturer()) };
    default:
      return { ...base, cid2: 0x04, info: '' };
  }
}

/** Encodes the answer, damaged the way the fault says. */
export function faulty(answer: SeplosFrame, fault: SeplosFault | undefined): Buffer {
  switch (fault?.kind) {
    case 'bad-checksum': {
      const good = encodeFrame(answer);
      const text = good.toString('latin1');
      const sum = Number.parseInt(text.slice(-5, -1), 16) ^ 0x0101;
      return Buffer.from(
        `${text.slice(0, -5)}${sum.toString(16).toUpperCase().padStart(4, '0')}\r`,
        'latin1',
      );
    }
    case 'wrong-length':
      return rawFrame(answer, lengthField(Math.max(0, answer.info.length - 2)));
    case 'truncated': {
      const good = encodeFrame(answer);
      return Buffer.concat([good.subarray(0, Math.floor(good.length / 2)), Buffer.from('\r')]);
    }
    case 'wrong-address':
      return encodeFrame({ ...answer, address: (answer.address + 1) & 0xff });
    case 'garbage':
      return Buffer.from([0x13, 0x5a, 0xa5, 0xff, 0x00, 0x41, 0x0d]);
    case 'device-error':
      return encodeFrame({ ...answer, cid2: fault.rtn, info: '' });
    default:
      return encodeFrame(answer);
  }
}

/** A frame with a given LENGTH field and a correct frame checksum (to inject length faults). */
function rawFrame(f: SeplosFrame, length: number): Buffer {
  const h2 = (n: number) => n.toString(16).toUpperCase().padStart(2, '0');
  const body = `${h2(f.version)}${h2(f.address)}${h2(f.cid1)}${h2(f.cid2)}${length.toString(16).toUpperCase().padStart(4, '0')}${f.info}`;
  return Buffer.from(
    `~${body}${frameChecksum(body).toString(16).toUpperCase().padStart(4, '0')}\r`,
    'latin1',
  );
}

async function listen(host: string, port: number, bus: SeplosBus): Promise<Server> {
  const server = createServer({ noDelay: true }, (socket) => bus.accept(socket));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

function startTicker(step: (s: number) => void, everyMs: number): NodeJS.Timeout {
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    step((now - last) / 1000);
    last = now;
  }, everyMs);
  timer.unref();
  return timer;
}
