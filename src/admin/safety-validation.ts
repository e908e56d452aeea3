import { SwapdError } from '../errors.js';
import { createAjv } from '../validation/ajv.js';
import { toDetails } from '../validation/details.js';
import clearSchema from './safety-clear.schema.json' with { type: 'json' };
import faultSchema from './sim-fault.schema.json' with { type: 'json' };

export interface SafetyClearRequest {
  device?: string;
  all?: true;
  operator?: string;
}

export type SimFaultKind =
  | 'over_temperature'
  | 'temperature'
  | 'alarm'
  | 'no_answer'
  | 'slow'
  | 'garbage'
  | 'disconnect'
  | 'exception'
  | 'offline'
  | 'online'
  | 'clear';

export interface SimFaultRequest {
  fault: SimFaultKind;
  unit?: number;
  temperature_c?: number;
  bit?: number;
  on?: boolean;
  delay_ms?: number;
  code?: number;
}

const ajv = createAjv();
const validateClear = ajv.compile<SafetyClearRequest>(clearSchema);
const validateFault = ajv.compile<SimFaultRequest>(faultSchema);

export function parseSafetyClear(value: unknown): SafetyClearRequest {
  if (validateClear(value)) return value;
  throw new SwapdError('SCHEMA_VIOLATION', 'give either "device": "<slot device id>" or "all": true', {
    details: toDetails(validateClear.errors),
  });
}

export function parseSimFault(value: unknown): SimFaultRequest {
  if (validateFault(value)) return value;
  throw new SwapdError('SCHEMA_VIOLATION', 'the fault does not match the simulator fault schema', {
    details: toDetails(validateFault.errors),
  });
}
