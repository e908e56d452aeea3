import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { describe, expect, it } from 'vitest';
import { ASYNCAPI_FILE, renderAsyncApi } from '../../src/contract/asyncapi-yaml.js';
import { PROJECT_ROOT } from '../../src/main.js';
import { requestSchemas } from '../../src/router/routes.js';
import { ATTENDANT_OPERATIONS, BILLING_OPERATIONS, OPS_OPERATIONS } from '../../src/router/topics.js';
import { EVENT_SCHEMAS } from '../../src/validation/message-schemas.js';
import { SPEC003_MESSAGE_TYPES } from '../../src/validation/spec003/spec003-validator.js';

const committed = readFileSync(resolve(PROJECT_ROOT, ASYNCAPI_FILE), 'utf8');

describe('docs/asyncapi.yaml', () => {
  it('is up to date: `swapd asyncapi --out docs/asyncapi.yaml` gives the committed file byte for byte', () => {
    const fresh = renderAsyncApi(PROJECT_ROOT);
    if (fresh !== committed) {
      throw new Error(
        'docs/asyncapi.yaml is out of date with the schemas or the topic table: run `./bin/swapd.js asyncapi --out docs/asyncapi.yaml` and commit it',
      );
    }
  });

  it('is a valid AsyncAPI 3 document for the AsyncAPI parser, with no errors or warnings', async () => {
    const { document, diagnostics } = await new Parser().parse(committed);
    const problems = diagnostics
      .filter((d) => d.severity <= DiagnosticSeverity.Warning)
      .map((d) => `${d.path.join('.')}: ${d.message}`);
    expect(problems).toEqual([]);
    expect(document).toBeDefined();
    expect(document!.version()).toBe('3.0.0');

    const addresses = document!
      .channels()
      .all()
      .map((c) => c.address());
    for (const operation of Object.keys(ATTENDANT_OPERATIONS)) {
      for (const topic of [
        `call/uxi/attendant/plan/{plan_id}/${operation}`,
        `rtrn/abs/attendant/plan/{plan_id}/${operation}_response`,
        `emit/uxi/attendant/plan/{plan_id}/${operation}`,
        `echo/abs/attendant/plan/{plan_id}/${operation}_response`,
      ])
        expect(addresses).toContain(topic);
    }
    for (const operation of Object.keys(BILLING_OPERATIONS)) {
      expect(addresses).toContain(`call/odoo/billing/plan/{plan_id}/${operation}`);
      expect(addresses).toContain(`rtrn/abs/billing/plan/{plan_id}/${operation}_response`);
    }
    expect(addresses).toContain('event/abs/service/plan/{plan_id}/service_completed');
    expect(addresses).toContain('event/abs/payment/plan/{plan_id}/payment_received');
    expect(addresses).toContain('event/abs/service/plan/{plan_id}/quota_exhausted');

    for (const type of SPEC003_MESSAGE_TYPES) expect(addresses).toContain(`bessai/{site_id}/${type}`);

    // Every request is answered: each receive operation on a request topic has a reply channel.
    const receives = document!
      .operations()
      .all()
      .filter((o) => o.action() === 'receive' && o.reply() !== undefined);
    expect(receives).toHaveLength(
      Object.keys(ATTENDANT_OPERATIONS).length * 2 +
        Object.keys(BILLING_OPERATIONS).length +
        Object.keys(OPS_OPERATIONS).length,
    );
    for (const op of receives) expect(op.reply()?.channel()?.address()).toMatch(/_response$/);
  });

  it('the parser does find faults: a broken copy is refused', async () => {
    const broken = committed.replace(
      'address: call/uxi/attendant/plan/{plan_id}/identify_customer',
      'address: 42',
    );
    const { diagnostics } = await new Parser().parse(broken);
    expect(diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error).length).toBeGreaterThan(0);
  });

  it('carries every schema swapd validates with: one message per action and per event, required fields intact', async () => {
    const { document } = await new Parser().parse(committed);
    const messages = document!.components().messages();
    for (const [action, schema] of Object.entries(requestSchemas())) {
      const message = messages.get(action);
      expect(message, action).toBeDefined();
      expect(message!.payload()?.required()).toEqual((schema as { required?: string[] }).required);
    }
    for (const [type, schema] of Object.entries(EVENT_SCHEMAS)) {
      const message = messages.get(`event${type}`);
      expect(message, type).toBeDefined();
      expect(message!.payload()?.required()).toEqual((schema as { required?: string[] }).required);
    }
    // References into the shared definitions are resolved by the parser.
    const checkout = messages.get('EQUIPMENT_CHECKOUT')!.payload()!;
    expect(checkout.properties()?.correlation_id?.maxLength()).toBe(128);
  });
});
