/**
 * The topic contract of SPEC §2.1 / §2.3: `{call|emit}/{origin}/{domain}/plan/{plan_id}/{operation}`
 * answered on `{rtrn|echo}/abs/{domain}/plan/{plan_id}/{operation}_response`. The operator's lifecycle
 * operations come on `{call|emit}/ops/plan/{plan_id}/{operation}` (the operator is both origin and
 * domain) and are answered by the same rule, on `{rtrn|echo}/abs/ops/plan/{plan_id}/{operation}_response`.
 */
export const ATTENDANT_OPERATIONS = {
  identify_customer: 'IDENTIFY_CUSTOMER',
  identify_returned_equipment: 'IDENTIFY_RETURNED_EQUIPMENT',
  identify_outgoing_equipment: 'IDENTIFY_OUTGOING_EQUIPMENT',
  equipment_checkin: 'EQUIPMENT_CHECKIN',
  equipment_checkout: 'EQUIPMENT_CHECKOUT',
  collect_payment: 'COLLECT_PAYMENT',
  complete_service: 'COMPLETE_SERVICE',
  report_attendant_activity: 'REPORT_ATTENDANT_ACTIVITY',
} as const;

export const BILLING_OPERATIONS = { confirm_payment: 'CONFIRM_PAYMENT' } as const;

/** Plan and battery lifecycle (role `ops`): `call/ops/plan/{plan_id}/{operation}`. */
export const OPS_OPERATIONS = {
  report_battery_lost: 'REPORT_BATTERY_LOST',
  recover_battery: 'RECOVER_BATTERY',
  suspend_plan: 'SUSPEND_PLAN',
  resume_plan: 'RESUME_PLAN',
  close_plan: 'CLOSE_PLAN',
} as const;

export type AttendantOperation = keyof typeof ATTENDANT_OPERATIONS;
export type BillingOperation = keyof typeof BILLING_OPERATIONS;
export type OpsOperation = keyof typeof OPS_OPERATIONS;
export type Operation = AttendantOperation | BillingOperation | OpsOperation;
export type Action =
  | (typeof ATTENDANT_OPERATIONS)[AttendantOperation]
  | (typeof BILLING_OPERATIONS)[BillingOperation]
  | (typeof OPS_OPERATIONS)[OpsOperation];

const DOMAINS = {
  attendant: ATTENDANT_OPERATIONS,
  billing: BILLING_OPERATIONS,
  ops: OPS_OPERATIONS,
} as const;
type Domain = keyof typeof DOMAINS;

export interface ParsedTopic {
  verb: 'call' | 'emit';
  domain: Domain;
  planId: string;
  /** As written in the topic; may be unknown. */
  operationName: string;
  operation: Operation | null;
  action: Action | null;
  responseTopic: string;
}

/** The subscriptions of the agent role; a shared-subscription group prefixes them for scaled-out agents. */
export function requestFilters(group: string | null): string[] {
  const filters = [
    'call/uxi/attendant/plan/+/+',
    'emit/uxi/attendant/plan/+/+',
    'call/odoo/billing/plan/+/+',
    'call/ops/plan/+/+',
  ];
  return group ? filters.map((f) => `$share/${group}/${f}`) : filters;
}

export function responseTopicFor(
  verb: 'call' | 'emit',
  domain: string,
  planId: string,
  operation: string,
): string {
  return `${verb === 'call' ? 'rtrn' : 'echo'}/abs/${domain}/plan/${planId}/${operation}_response`;
}

function lookup(domain: Domain, name: string): Action | null {
  const table: Record<string, Action> = DOMAINS[domain];
  return Object.hasOwn(table, name) ? (table[name] ?? null) : null;
}

/** `call/ops/plan/{plan_id}/{operation}` read as `call/ops/ops/plan/...`: the operator is origin and domain. */
function segments(topic: string): string[] | null {
  const parts = topic.split('/');
  if (parts.length === 5 && parts[1] === 'ops' && parts[2] === 'plan')
    return [parts[0]!, 'ops', ...parts.slice(1)];
  if (parts.length !== 6 || parts[3] !== 'plan' || parts[2] === 'ops') return null;
  return parts;
}

/** Null when the topic is not a request topic at all (nothing to answer). */
export function parseRequestTopic(topic: string): ParsedTopic | null {
  const parts = segments(topic);
  if (!parts) return null;
  const [verb, , domain, , planId, operationName] = parts as [string, string, string, string, string, string];
  if ((verb !== 'call' && verb !== 'emit') || !Object.hasOwn(DOMAINS, domain) || !planId || !operationName)
    return null;
  const action = lookup(domain as Domain, operationName);
  return {
    verb,
    domain: domain as Domain,
    planId,
    operationName,
    operation: action ? (operationName as Operation) : null,
    action,
    responseTopic: responseTopicFor(verb, domain, planId, operationName),
  };
}
