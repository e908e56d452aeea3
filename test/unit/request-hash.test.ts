import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, requestHash } from '../../src/router/request-hash.js';

/** The recursive canonical form swapd used before: the iterative one must give the same text. */
function recursiveCanonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(recursiveCanonical);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, recursiveCanonical(v)]));
  }
  return value;
}

function nested(depth: number): unknown {
  let value: unknown = { leaf: true };
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { n: value };
  return value;
}

describe('canonical form of a request', () => {
  it('is the same text as the recursive form for any JSON value (stored hashes stay valid)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value)).toBe(JSON.stringify(recursiveCanonical(value)));
      }),
      { numRuns: 300 },
    );
  });

  it('ignores key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}',
    );
  });

  it('does not overflow the stack on 100,000 levels of nesting', () => {
    const hash = () => requestHash('p/REPORT_ATTENDANT_ACTIVITY', { details: nested(100_000) });
    expect(() => recursiveCanonical(nested(100_000))).toThrow(RangeError);
    expect(hash()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(hash()).toBe(hash());
  });
});
