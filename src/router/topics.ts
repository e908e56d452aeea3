/**
 * The topic contract of SPEC §2.1 / §2.3: `{call|emit}/{origin}/{domain}/plan/{plan_id}/{operation}`
 * answered on `{rtrn|echo}/abs/{domain}/plan/{plan_id}/{operation}_response`.
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

export type AttendantOperation = keyof typeof ATTENDANT_OPERATIONS;
export type BillingOperation = keyof typeof BILLING_OPERATIONS;
export type Operation = AttendantOperation | BillingOperation;
export type Action =
  | (typeof ATTENDANT_OPERATIONS)[AttendantOperation]
  | (typeof BILLING_OPERATIONS)[BillingOperation];

const DOMAINS = { attendant: ATTENDANT_OPERATIONS, billing: BILLING_OPERATIONS } as const;
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

/** Null when the topic is not a request topic at all (nothing to answer). */
export function parseRequestTopic(topic: string): ParsedTopic | null {
  const parts = topic.split('/');
  if (parts.length !== 6 || parts[3] !== 'plan') return null;
  const [verb, , domain, , planId, operationName] = parts as [string, string, string, string, string, string];
  if ((verb !== 'call' && verb !== 'emit') || !(domain in DOMAINS) || !planId || !operationName) return null;
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
