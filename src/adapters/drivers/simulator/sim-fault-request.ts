import type { SimFaultRequest } from '../../../admin/safety-validation.js';
import { SwapdError } from '../../../errors.js';
import type { SimFaults } from './sim-faults.js';

/** Applies one validated fault request to the running simulator; returns what was done, in words. */
export async function applySimFault(faults: SimFaults, request: SimFaultRequest): Promise<string> {
  const unit = request.unit;
  const where = unit === undefined ? 'every unit' : `unit ${unit}`;
  try {
    switch (request.fault) {
      case 'over_temperature':
        faults.overTemperature(unit as number, request.temperature_c ?? 70);
        return `battery on ${where} at ${request.temperature_c ?? 70} °C`;
      case 'temperature':
        faults.temperature(unit as number, request.temperature_c as number);
        return `battery on ${where} at ${request.temperature_c} °C`;
      case 'alarm':
        faults.alarm(unit as number, request.bit as number, request.on ?? true);
        return `alarm bit ${request.bit} ${request.on === false ? 'cleared' : 'raised'} on ${where}`;
      case 'no_answer':
      case 'garbage':
      case 'disconnect':
        faults.set({ kind: request.fault === 'no_answer' ? 'no-answer' : request.fault }, unit);
        return `${request.fault} on ${where}`;
      case 'slow':
        faults.set({ kind: 'slow', delayMs: request.delay_ms as number }, unit);
        return `answers delayed by ${request.delay_ms} ms on ${where}`;
      case 'exception':
        faults.set({ kind: 'exception', code: request.code as number }, unit);
        return `Modbus exception ${request.code} on ${where}`;
      case 'offline':
        await faults.goOffline();
        return 'simulator offline (connections refused)';
      case 'online':
        await faults.goOnline();
        return 'simulator online';
      case 'clear':
        faults.clear(unit);
        return `link faults cleared on ${where}`;
    }
  } catch (err) {
    if (err instanceof RangeError) throw new SwapdError('NOT_FOUND', err.message, { cause: err });
    throw err;
  }
}
