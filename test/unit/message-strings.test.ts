import { describe, expect, it } from 'vitest';
import commonSchema from '../../agents/common.schema.json' with { type: 'json' };
import envelopeRequest from '../../agents/messages/envelope-request.schema.json' with { type: 'json' };
import assetImport from '../../src/admin/asset-import.schema.json' with { type: 'json' };
import planImport from '../../src/admin/plan-import.schema.json' with { type: 'json' };
import { requestSchemas } from '../../src/router/routes.js';
import { messageSchemas } from '../../src/validation/message-schemas.js';
import { MessageValidator } from '../../src/validation/message-validator.js';

type Schema = Record<string, unknown>;

const INBOUND: Record<string, Schema> = {
  ...(requestSchemas() as Record<string, Schema>),
  envelope: envelopeRequest,
  'admin:plans': planImport,
  'admin:assets': assetImport,
};

function resolve(ref: string): Schema {
  const [base, pointer] = ref.split('#');
  // Local refs occur only inside the common definitions.
  if (base !== 'swapd:common' && base !== '') throw new Error(`unexpected $ref ${ref}`);
  let node: unknown = commonSchema;
  for (const part of (pointer ?? '').split('/').filter(Boolean)) node = (node as Schema)[part];
  return node as Schema;
}

function subschemas(node: Schema): Schema[] {
  const out: Schema[] = [];
  for (const key of ['items', 'additionalProperties', 'if', 'then', 'else', 'not'])
    if (node[key] && typeof node[key] === 'object') out.push(node[key] as Schema);
  for (const key of ['properties', '$defs'])
    if (node[key]) out.push(...Object.values(node[key] as Record<string, Schema>));
  for (const key of ['anyOf', 'oneOf', 'allOf']) if (node[key]) out.push(...(node[key] as Schema[]));
  if (typeof node.$ref === 'string') out.push(resolve(node.$ref));
  return out;
}

/** Every schema node reachable from `root`, following $refs into the common definitions. */
function walk(root: Schema): { path: string; node: Schema }[] {
  const seen = new Set<Schema>();
  const out: { path: string; node: Schema }[] = [];
  const stack = [{ path: '#', node: root }];
  while (stack.length > 0) {
    const { path, node } = stack.pop() as { path: string; node: Schema };
    if (seen.has(node)) continue;
    seen.add(node);
    out.push({ path, node });
    for (const [i, child] of subschemas(node).entries()) stack.push({ path: `${path}/${i}`, node: child });
  }
  return out;
}

const types = (node: Schema) => [node.type].flat().filter((t): t is string => typeof t === 'string');

describe('every string and every open object the API accepts is bounded by the common rules', () => {
  it.each(Object.keys(INBOUND))('%s: strings carry format text (or date-time, or are an enum)', (name) => {
    const loose = walk(INBOUND[name] as Schema)
      .filter(({ node }) => types(node).includes('string'))
      .filter(
        ({ node }) => !['text', 'date-time'].includes(String(node.format)) && !node.enum && !node.const,
      );
    expect(loose.map((l) => JSON.stringify(l.node))).toEqual([]);
  });

  it.each(Object.keys(INBOUND))('%s: objects are closed or carry freeForm limits', (name) => {
    const open = walk(INBOUND[name] as Schema)
      .filter(({ node }) => types(node).includes('object'))
      .filter(({ node }) => node.additionalProperties !== false && !node.freeForm);
    expect(open.map((o) => JSON.stringify(o.node))).toEqual([]);
  });
});

describe('the string rule and free-form limits in validation', () => {
  const validator = new MessageValidator(messageSchemas(requestSchemas()));
  const base = { action: 'REPORT_ATTENDANT_ACTIVITY', correlation_id: 'ok-1', activity_type: 'SHIFT_START' };

  it.each([
    ['NUL in correlation_id', { correlation_id: 'a\u0000b' }, '/correlation_id'],
    ['a lone high surrogate in attendant_id', { attendant_id: 'x\ud800' }, '/attendant_id'],
    ['a lone low surrogate in description', { description: '\udc00' }, '/description'],
    ['NUL deep in details', { details: { a: { b: ['ok', 'n\u0000'] } } }, '/details'],
    ['a bad key in details', { details: { 'k\u0000': 1 } }, '/details'],
  ])('%s is a schema violation', (_name, change, path) => {
    const result = validator.validate('REPORT_ATTENDANT_ACTIVITY', { ...base, ...change });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.details.map((d) => d.path)).toContain(path);
  });

  it('a surrogate pair (an emoji) is fine', () => {
    expect(validator.validate('REPORT_ATTENDANT_ACTIVITY', { ...base, description: 'ok 🔋' }).ok).toBe(true);
  });

  it('details nested 4,000 levels deep are refused without recursion', () => {
    let details: unknown = { x: 1 };
    for (let i = 0; i < 4000; i++) details = { d: details };
    const result = validator.validate('REPORT_ATTENDANT_ACTIVITY', { ...base, details });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.details[0]?.message).toMatch(/nests deeper than 8 levels/);
  });

  it('details within the limits pass', () => {
    const details = { shift: { hours: [8, 16], notes: { door: 'closed' } } };
    expect(validator.validate('REPORT_ATTENDANT_ACTIVITY', { ...base, details }).ok).toBe(true);
  });

  it('NUL in an envelope actor id is refused', () => {
    const result = validator.validate('request:envelope', {
      actor: { type: 'attendant', id: 'a\u0000' },
      data: {},
    });
    expect(result.ok).toBe(false);
  });
});
