import type { AclRule } from './acl-file.js';

/**
 * The broker roles of SPEC §10 and the ACL rules each one is written as. Only swapd (`agent`) may
 * publish answers (`rtrn/`, `echo/`), events (`event/`) and a station's `safety_event`.
 */
export const BROKER_ROLES = ['attendant', 'odoo', 'station', 'agent', 'ops', 'monitor'] as const;
export type BrokerRole = (typeof BROKER_ROLES)[number];

export function isBrokerRole(value: string): value is BrokerRole {
  return (BROKER_ROLES as readonly string[]).includes(value);
}

/** Every client may read answers sent to its own client id (MQTT 5 Response Topic under this prefix). */
export const RESPONSE_TOPIC_PATTERN: AclRule = { access: 'read', filter: 'rtrn/client/%c/#' };

const rule = (access: AclRule['access'], filter: string): AclRule => ({ access, filter });

const FIXED: Record<Exclude<BrokerRole, 'station'>, readonly AclRule[]> = {
  attendant: [
    rule('write', 'call/uxi/attendant/plan/+/+'),
    rule('write', 'emit/uxi/attendant/plan/+/+'),
    rule('read', 'rtrn/abs/attendant/plan/+/+'),
    rule('read', 'echo/abs/attendant/plan/+/+'),
  ],
  odoo: [
    rule('write', 'call/odoo/billing/plan/+/confirm_payment'),
    rule('read', 'rtrn/abs/billing/plan/+/+'),
    rule('read', 'event/abs/#'),
  ],
  agent: [
    rule('read', 'call/#'),
    rule('read', 'emit/#'),
    rule('write', 'rtrn/#'),
    rule('write', 'echo/#'),
    rule('write', 'event/#'),
    rule('readwrite', 'bessai/#'),
  ],
  // Operators may act as an attendant and run lifecycle operations, but never speak for Odoo: a payment
  // confirmation comes from the odoo role only (its receipt id is the one key shared by all plans).
  ops: [
    rule('read', '#'),
    rule('read', '$SYS/#'),
    rule('write', 'call/uxi/#'),
    rule('write', 'emit/uxi/#'),
    rule('write', 'call/ops/#'),
  ],
  monitor: [rule('read', 'event/#'), rule('read', 'bessai/#')],
};

/** The rules of a role; a station's are bound to its site (SPEC-003 `bessai/{site}/…`). */
export function roleRules(role: BrokerRole, site: string | null): readonly AclRule[] {
  if (role !== 'station') return FIXED[role];
  if (!site) throw new Error('a station user needs its site id');
  return [rule('deny', `bessai/${site}/safety_event`), rule('readwrite', `bessai/${site}/#`)];
}
