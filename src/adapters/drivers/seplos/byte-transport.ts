import { type Socket, connect as tcpConnect } from 'node:net';
import { DriverError } from '../../../ports/data-provider.js';
import { withDeadline } from '../deadline.js';
import type { SeplosEndpoint } from './seplos-endpoint.js';

/** A byte pipe to the pack: a serial port (8N1) or a TCP socket to an RS-485 gateway. */
export interface ByteTransport {
  write(bytes: Buffer): void;
  close(): Promise<void>;
}

export interface TransportEvents {
  data(chunk: Buffer): void;
  /** The pipe closed or failed while open. */
  lost(reason: string): void;
}

/** Opens the transport; every failure (refused, no such device) rejects, nothing is left open. */
export async function openTransport(
  endpoint: SeplosEndpoint,
  events: TransportEvents,
  timeoutMs: number,
): Promise<ByteTransport> {
  return endpoint.kind === 'tcp'
    ? openTcp(endpoint.host, endpoint.port, events, timeoutMs)
    : openSerial(endpoint.path, endpoint.baudRate, events, timeoutMs);
}

async function openTcp(
  host: string,
  port: number,
  events: TransportEvents,
  timeoutMs: number,
): Promise<ByteTransport> {
  const socket = tcpConnect({ host, port, noDelay: true });
  let open = false;
  socket.on('error', (err) => {
    if (open) events.lost(`socket error: ${err.message}`);
  });
  socket.on('close', () => {
    if (open) events.lost('the gateway closed the connection');
  });
  socket.on('data', (chunk: Buffer) => events.data(chunk));
  const connected = new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  try {
    await withDeadline(connected, timeoutMs, `connect ${host}:${port}`);
  } catch (err) {
    socket.destroy();
    throw asConnectionError(err);
  }
  open = true;
  return {
    write: (bytes) => {
      socket.write(bytes);
    },
    close: () => closeSocket(socket, () => (open = false)),
  };
}

function closeSocket(socket: Socket, markClosed: () => void): Promise<void> {
  markClosed();
  socket.destroy();
  return Promise.resolve();
}

async function openSerial(
  path: string,
  baudRate: number,
  events: TransportEvents,
  timeoutMs: number,
): Promise<ByteTransport> {
  const SerialPort = await loadSerialPort();
  const port = new SerialPort({ path, baudRate, dataBits: 8, parity: 'none', stopBits: 1, autoOpen: false });
  let open = false;
  port.on('error', (err: Error) => {
    if (open) events.lost(`serial error: ${err.message}`);
  });
  port.on('close', () => {
    if (open) events.lost('the serial port closed');
  });
  port.on('data', (chunk: Buffer) => events.data(chunk));
  const opened = new Promise<void>((resolve, reject) => {
    port.open((err) => (err ? reject(err) : resolve()));
  });
  try {
    await withDeadline(opened, timeoutMs, `open ${path}`);
  } catch (err) {
    if (port.isOpen) port.close(() => undefined);
    throw asConnectionError(err);
  }
  open = true;
  return {
    write: (bytes) => {
      port.write(bytes);
    },
    close: () =>
      new Promise<void>((resolve) => {
        open = false;
        if (!port.isOpen) return resolve();
        port.close(() => resolve());
      }),
  };
}

/**
 * serialport has a native binding; it is loaded when a serial device is first opened, so a machine
 * without it still runs everything else (as modbus-serial treats it too).
 */
async function loadSerialPort(): Promise<typeof import('serialport').SerialPort> {
  try {
    return (await import('serialport')).SerialPort;
  } catch (err) {
    throw new DriverError(
      'CONNECTION_FAILED',
      `serial ports are not available on this machine: ${(err as Error).message}`,
      {},
      err,
    );
  }
}

function asConnectionError(err: unknown): DriverError {
  if (err instanceof DriverError) return err;
  return new DriverError('CONNECTION_FAILED', (err as Error).message ?? String(err), {}, err);
}
