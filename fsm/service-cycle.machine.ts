import { setup } from 'xstate';
import type { CycleContext, CycleEvent, ServiceCycleInput } from './cycle.types.js';
import { NO_DEADLINE } from './cycle-deadlines.js';

/**
 * service_cycle: where the plan's battery is. No deadlines. PLAN_COMPLETED only while no battery is
 * held. The table with the action that sends each input is in fsm/README.md.
 */
const noChange = { description: 'accepted, changes nothing' } as const;

export const serviceCycleMachine = setup({
  types: {
    context: {} as CycleContext,
    events: {} as CycleEvent<ServiceCycleInput>,
  },
}).createMachine({
  id: 'service_cycle',
  initial: 'INITIAL',
  context: { ...NO_DEADLINE },
  states: {
    INITIAL: {
      on: { PLAN_ACTIVATED: 'WAIT_BATTERY_ISSUE', PLAN_COMPLETED: 'COMPLETE' },
    },
    WAIT_BATTERY_ISSUE: {
      on: { BATTERY_ISSUED: 'BATTERY_ISSUED', QUOTA_EXHAUSTED: noChange, PLAN_COMPLETED: 'COMPLETE' },
    },
    BATTERY_ISSUED: {
      on: {
        BATTERY_RETURNED: 'BATTERY_RETURNED',
        BATTERY_ISSUED: { description: 'a swap (return + issue in one checkout), or a fleet plan' },
        QUOTA_EXHAUSTED: noChange,
        BATTERY_LOST_REPORTED: 'BATTERY_LOST',
      },
    },
    BATTERY_RETURNED: {
      on: { BATTERY_ISSUED: 'BATTERY_ISSUED', QUOTA_EXHAUSTED: noChange, PLAN_COMPLETED: 'COMPLETE' },
    },
    BATTERY_LOST: {
      on: {
        BATTERY_ISSUED: 'BATTERY_ISSUED',
        BATTERY_RECOVERED: 'BATTERY_RETURNED',
        QUOTA_EXHAUSTED: noChange,
      },
    },
    COMPLETE: { type: 'final' },
  },
});

export type ServiceCycleMachine = typeof serviceCycleMachine;
