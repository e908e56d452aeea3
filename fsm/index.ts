/**
 * The two finite-state cycles of a plan (SPEC §5): service_cycle and payment_cycle, as XState v5
 * machines driven by pure transitions. Table, diagrams and the versioning story: fsm/README.md.
 */
export type {
  CycleName,
  CycleParams,
  CycleRecord,
  FsmInput,
  PaymentCycleInput,
  PaymentCycleState,
  PaymentType,
  RawCycleRecord,
  ServiceCycleInput,
  ServiceCycleState,
  TransitionResult,
} from './cycle.types.js';
export {
  CYCLES,
  PAYMENT_CYCLE_INPUTS,
  PAYMENT_CYCLE_STATES,
  PAYMENT_TYPES,
  SERVICE_CYCLE_INPUTS,
  SERVICE_CYCLE_STATES,
} from './cycle.types.js';
export { DAY_MS } from './cycle-deadlines.js';
export { type MigrationTable, migrateRaw, renameStates, type SnapshotMigration } from './cycle-migrations.js';
export { activateCycles, createCycle, recordAt } from './cycle-records.js';
export { MACHINE_VERSIONS } from './cycle-registry.js';
export { restoreRecord } from './cycle-restore.js';
export { acceptedInputs, applyInput, dueInput } from './cycle-transition.js';
export { paymentCycleMachine } from './payment-cycle.machine.js';
export { serviceCycleMachine } from './service-cycle.machine.js';
