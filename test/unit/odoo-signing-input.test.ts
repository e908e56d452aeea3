import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signingInput, signRequest } from '../../src/access/odoo-signature.js';

// The RFC 8785 reference implementation (by one of the RFC's authors) as the oracle. It recurses.
const canonicalize = createRequire(import.meta.url)('canonicalize') as (value: unknown) => string;

/** JSON values with any text in names and strings (astral characters and lone surrogates too). */
const anyJson = fc.jsonValue({ stringUnit: 'binary' });

describe('the text of an Odoo callback that is signed (RFC 8785)', () => {
  it('is what the reference canonicalize gives, for any JSON object', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'binary' }), anyJson), (request) => {
        const { signature: _s, ...rest } = request;
        expect(signingInput(request)).toBe(canonicalize(rest));
      }),
      { numRuns: 500 },
    );
  });

  it('orders names by UTF-16 code units and writes numbers as ECMAScript does', () => {
    const request = { '\u{1F600}': 1, '\uFB33': 2, b: 1e21, a: 100.0, c: -0, d: 1e-7, signature: 'x' };
    expect(signingInput(request)).toBe('{"a":100,"b":1e+21,"c":0,"d":1e-7,"\u{1F600}":1,"\uFB33":2}');
  });

  it('signs a request nested 100,000 levels deep without overflowing the stack', () => {
    const deep = `{"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const request = JSON.parse(deep) as Record<string, unknown>;
    expect(() => canonicalize(request)).toThrow(RangeError);
    expect(signRequest('a-secret-of-16-chars', request)).toMatch(/^[0-9a-f]{64}$/);
  });
});
