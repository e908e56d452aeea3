import { assign, setup } from 'xstate';
import type { CycleContext, CycleEvent, PaymentCycleInput, PaymentType } from './cycle.types.js';
import {
  extendedRenewalDeadline,
  graceDeadline,
  isDeadlineReached,
  NO_DEADLINE,
  renewalDeadline,
} from './cycle-deadlines.js';

/**
 * payment_cycle: whether the plan is paid up. CURRENT and RENEWAL_DUE carry a deadline in context
 * (mirrored to the `deadline_at` / `deadline_input` columns); the scheduler fires its input when due.
 * The table with the action that sends each input is in fsm/README.md.
 */
const paid = (paymentType: PaymentType) => ({ type: 'paymentTypeIs', params: { paymentType } }) as const;
const topUp = {
  guard: paid('TOP_UP'),
  description: 'a top-up credits quota; the cycle does not move',
} as const;
const lateRenewal = { guard: paid('RENEWAL'), target: 'CURRENT' } as const;

export const paymentCycleMachine = setup({
  types: {
    context: {} as CycleContext,
    events: {} as CycleEvent<PaymentCycleInput>,
  },
  guards: {
    depositRequired: ({ event }) => event.params.depositRequired,
    paymentTypeIs: ({ event }, params: { paymentType: PaymentType }) =>
      event.paymentType === params.paymentType,
    deadlineReached: ({ context, event }) => isDeadlineReached(context, event.at),
  },
  actions: {
    startRenewalPeriod: assign(({ event }) => renewalDeadline(event.at, event.params)),
    extendRenewalPeriod: assign(({ context, event }) =>
      extendedRenewalDeadline(context, event.at, event.params),
    ),
    startGracePeriod: assign(({ event }) => graceDeadline(event.at, event.params)),
    clearDeadline: assign(() => ({ ...NO_DEADLINE })),
  },
}).createMachine({
  id: 'payment_cycle',
  initial: 'INITIAL',
  context: { ...NO_DEADLINE },
  states: {
    INITIAL: {
      on: {
        PLAN_ACTIVATED: [{ guard: 'depositRequired', target: 'DEPOSIT_DUE' }, { target: 'CURRENT' }],
        PLAN_COMPLETED: 'COMPLETE',
      },
    },
    DEPOSIT_DUE: {
      entry: 'clearDeadline',
      on: {
        PAYMENT_RECEIVED: [{ guard: paid('DEPOSIT'), target: 'CURRENT' }, topUp],
        PLAN_COMPLETED: 'COMPLETE',
      },
    },
    CURRENT: {
      entry: 'startRenewalPeriod',
      on: {
        PAYMENT_RECEIVED: [{ guard: paid('RENEWAL'), actions: 'extendRenewalPeriod' }, topUp],
        RENEWAL_DUE_REACHED: { guard: 'deadlineReached', target: 'RENEWAL_DUE' },
        PLAN_COMPLETED: 'COMPLETE',
      },
    },
    RENEWAL_DUE: {
      entry: 'startGracePeriod',
      on: {
        PAYMENT_RECEIVED: [lateRenewal, topUp],
        GRACE_PERIOD_EXPIRED: { guard: 'deadlineReached', target: 'FINAL_DUE' },
        PLAN_COMPLETED: 'COMPLETE',
      },
    },
    FINAL_DUE: {
      entry: 'clearDeadline',
      on: {
        PAYMENT_RECEIVED: [lateRenewal, topUp],
        PLAN_COMPLETED: 'COMPLETE',
      },
    },
    COMPLETE: { type: 'final', entry: 'clearDeadline' },
  },
});

export type PaymentCycleMachine = typeof paymentCycleMachine;
