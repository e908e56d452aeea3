import type { AnyStateMachine } from 'xstate';
import { SwapdError } from '../src/errors.js';
import {
  CYCLES,
  type CycleContext,
  type CycleName,
  type CycleParams,
  PAYMENT_CYCLE_INPUTS,
  PAYMENT_CYCLE_STATES,
  SERVICE_CYCLE_INPUTS,
  SERVICE_CYCLE_STATES,
} from './cycle.types.js';
import { NO_DEADLINE, paymentEntryDeadline } from './cycle-deadlines.js';
import { type MigrationTable, SNAPSHOT_MIGRATIONS } from './cycle-migrations.js';
import { paymentCycleMachine } from './payment-cycle.machine.js';
import { serviceCycleMachine } from './service-cycle.machine.js';

/** Everything the engine needs to know about one cycle. */
export interface CycleDefinition {
  readonly machine: AnyStateMachine;
  readonly version: number;
  readonly states: readonly string[];
  readonly inputs: readonly string[];
  readonly migrations: MigrationTable;
  /** The deadline a state sets on entry; used to place imported records directly in a state. */
  readonly entryDeadline: (state: string, atMs: number, params: CycleParams) => CycleContext;
}

const DEFINITIONS: Readonly<Record<CycleName, CycleDefinition>> = Object.freeze({
  service_cycle: {
    machine: serviceCycleMachine,
    version: 1,
    states: SERVICE_CYCLE_STATES,
    inputs: SERVICE_CYCLE_INPUTS,
    migrations: SNAPSHOT_MIGRATIONS.service_cycle,
    entryDeadline: () => ({ ...NO_DEADLINE }),
  },
  payment_cycle: {
    machine: paymentCycleMachine,
    version: 1,
    states: PAYMENT_CYCLE_STATES,
    inputs: PAYMENT_CYCLE_INPUTS,
    migrations: SNAPSHOT_MIGRATIONS.payment_cycle,
    entryDeadline: paymentEntryDeadline,
  },
});

/** The current machine version of each cycle, stored with every snapshot. */
export const MACHINE_VERSIONS: Readonly<Record<CycleName, number>> = Object.freeze({
  service_cycle: DEFINITIONS.service_cycle.version,
  payment_cycle: DEFINITIONS.payment_cycle.version,
});

export function isCycleName(value: unknown): value is CycleName {
  return (CYCLES as readonly unknown[]).includes(value);
}

export function definitionOf(cycle: CycleName): CycleDefinition {
  if (!isCycleName(cycle)) {
    throw new SwapdError('INTERNAL_ERROR', `unknown cycle ${String(cycle)}; cycles: ${CYCLES.join(', ')}`);
  }
  return DEFINITIONS[cycle];
}

export function assertState(cycle: CycleName, state: string): void {
  if (!definitionOf(cycle).states.includes(state)) {
    const states = definitionOf(cycle).states.join(', ');
    throw new SwapdError('INVALID_VALUE', `unknown ${cycle} state ${state}; states: ${states}`);
  }
}
