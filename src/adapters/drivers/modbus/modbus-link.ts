import modbusSerial from 'modbus-serial';
import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js';
import { DriverError } from '../../../ports/data-provider.js';
import { withDeadline } from '../deadline.js';
import type { RegisterTable } from '../registry/device-profile.js';
import { RequestQueue } from '../request-queue.js';
import type { ModbusEndpoint } from './modbus-endpoint.js';

type Client = ModbusRTU;
/** modbus-serial is CommonJS; its class is the module itself (or its `default` under some loaders). */
const ModbusClient = ((modbusSerial as { default?: unknown }).default ?? modbusSerial) as new () => Client;

/**
 * One Modbus connection (a TCP socket or a serial port) on modbus-serial. Requests go through a queue so
 * one is in flight at a time; every request has a response timeout (modbus-serial has none by default)
 * and an outer deadline, because a destroyed client never calls back its pending requests.
 */
export class ModbusLink {
  readonly #endpoint: ModbusEndpoint;
  readonly #onLost: (reason: string) => void;
  readonly #queue = new RequestQueue();
  #client: Client | null = null;

  constructor(endpoint: ModbusEndpoint, onLost: (reason: string) => void) {
    this.#endpoint = endpoint;
    this.#onLost = onLost;
  }

  get isOpen(): boolean {
    return this.#client?.isOpen ?? false;
  }

  async open(timeoutMs: number): Promise<void> {
    const client = new ModbusClient();
    const e = this.#endpoint;
    const opening =
      e.kind === 'tcp'
        ? client.connectTCP(e.host, { port: e.port })
        : client.connectRTUBuffered(e.path, { baudRate: e.baudRate });
    try {
      await withDeadline(opening, timeoutMs, 'connect');
    } catch (err) {
      destroy(client);
      throw err;
    }
    client.on('close', () => {
      if (this.#client === client) this.#onLost('connection closed by the device');
    });
    this.#client = client;
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = null;
    if (client) destroy(client);
  }

  read(
    unitId: number,
    table: RegisterTable,
    address: number,
    count: number,
    timeoutMs: number,
  ): Promise<number[]> {
    return this.#request(timeoutMs, async (client) => {
      client.setID(unitId);
      const result =
        table === 'holding'
          ? await client.readHoldingRegisters(address, count)
          : await client.readInputRegisters(address, count);
      if (result.data.length !== count)
        throw new DriverError('EXCEPTION', `expected ${count} registers, got ${result.data.length}`);
      return result.data;
    });
  }

  write(unitId: number, address: number, words: readonly number[], timeoutMs: number): Promise<void> {
    return this.#request(timeoutMs, async (client) => {
      client.setID(unitId);
      if (words.length === 1) await client.writeRegister(address, words[0] ?? 0);
      else await client.writeRegisters(address, [...words]);
    });
  }

  #request<T>(timeoutMs: number, work: (client: Client) => Promise<T>): Promise<T> {
    return this.#queue.run(async () => {
      const client = this.#client;
      if (!client?.isOpen) throw new DriverError('NOT_CONNECTED', 'the connection is closed');
      client.setTimeout(timeoutMs);
      try {
        return await withDeadline(work(client), timeoutMs + 50, 'request');
      } catch (err) {
        throw toDriverError(err);
      }
    });
  }
}

function destroy(client: Client): void {
  (client as unknown as { removeAllListeners(event: string): void }).removeAllListeners('close');
  try {
    client.destroy(() => undefined);
  } catch {
    // already gone
  }
}

/** modbus-serial's errors → DriverError codes. */
export function toDriverError(err: unknown): DriverError {
  if (err instanceof DriverError) return err;
  const e = err as { name?: string; errno?: string; message?: string; modbusCode?: number };
  if (e.name === 'TransactionTimedOutError' || e.errno === 'ETIMEDOUT') {
    return new DriverError('TIMEOUT', e.message ?? 'timed out', {}, err);
  }
  if (typeof e.modbusCode === 'number') {
    return new DriverError(
      'EXCEPTION',
      `Modbus exception ${e.modbusCode}`,
      { exceptionCode: e.modbusCode },
      err,
    );
  }
  if (e.name === 'PortNotOpenError')
    return new DriverError('NOT_CONNECTED', 'the connection is closed', {}, err);
  return new DriverError('EXCEPTION', `invalid answer: ${e.message ?? String(err)}`, {}, err);
}
