import { describe, expect, it } from 'vitest';
import {
  dec,
  floorTo,
  isUnlimited,
  roundTo,
  toStored,
  toWire,
  UNLIMITED_QUOTA,
} from '../../agents/shared/decimal.js';

/**
 * The rounding primitives of agents/shared/decimal.ts, each at, just below and just above its half.
 * A binary float would fail most of these rows (0.1 + 0.2, 2.675, 1.005).
 */
describe('dec: exact decimal arithmetic', () => {
  it('adds kWh without binary-float error', () => {
    expect(dec('344.5').plus('25.6').toFixed()).toBe('370.1');
    expect(dec(0.1).plus(0.2).toFixed()).toBe('0.3');
  });

  it('divides with 40 significant digits (the precision set for money and energy)', () => {
    expect(dec(2).div(3).toFixed()).toBe('0.6666666666666666666666666666666666666667');
  });

  it('accepts strings, numbers and decimals alike', () => {
    expect(dec(dec('1.5')).eq(dec(1.5))).toBe(true);
  });
});

describe('roundTo: half away from zero at the service precision', () => {
  it.each([
    // value, places, expected: at, below and above the half, and a half-even trap (x.25 → x.3, not x.2)
    ['0.25', 1, '0.3'],
    ['0.249999', 1, '0.2'],
    ['0.250001', 1, '0.3'],
    ['0.35', 1, '0.4'],
    ['4.85', 1, '4.9'],
    ['4.849', 1, '4.8'],
    ['2.5', 0, '3'],
    ['2.4999', 0, '2'],
    ['1.005', 2, '1.01'],
    ['-0.25', 1, '-0.3'],
    ['-0.24', 1, '-0.2'],
    ['7', 1, '7'],
  ] as const)('roundTo(%s, %i) = %s', (value, places, expected) => {
    expect(roundTo(value, places).toFixed()).toBe(expected);
  });

  it('rounds numbers by their decimal form, not their binary one (4.85 is stored as 4.8499999…)', () => {
    expect(roundTo(4.85, 1).toFixed()).toBe('4.9');
    expect(roundTo(1.005, 2).toFixed()).toBe('1.01');
  });
});

describe('floorTo: credit rounds toward zero, never up', () => {
  it.each([
    ['1.25', 1, '1.2'],
    ['1.29999', 1, '1.2'],
    ['1.2', 1, '1.2'],
    ['0.95', 1, '0.9'],
    ['0.999', 2, '0.99'],
    ['12.5', 0, '12'],
    ['-1.25', 1, '-1.2'],
  ] as const)('floorTo(%s, %i) = %s', (value, places, expected) => {
    expect(floorTo(value, places).toFixed()).toBe(expected);
  });
});

describe('toWire: a JSON number at the precision, rounded half up', () => {
  it.each([
    ['370.1', 1, 370.1],
    ['0.05', 1, 0.1],
    ['0.04999', 1, 0],
    ['2.675', 2, 2.68],
    ['0.125', 2, 0.13],
    ['0.1249', 2, 0.12],
    ['-0.05', 1, -0.1],
    ['29.9', 0, 30],
    ['29.49', 0, 29],
  ] as const)('toWire(%s, %i) = %s', (value, places, expected) => {
    expect(toWire(value, places)).toBe(expected);
  });
});

describe('toStored: exact text, never exponent notation', () => {
  it.each([
    ['370.1', '370.1'],
    [1e-7, '0.0000001'],
    [1e21, '1000000000000000000000'],
    ['25.60', '25.6'],
  ] as const)('toStored(%s) = %s', (value, expected) => {
    expect(toStored(value)).toBe(expected);
  });
});

describe('isUnlimited: a quota of 10,000,000 or more (SPEC §3)', () => {
  it.each([
    ['9999999.9', false],
    ['9999999', false],
    ['10000000', true],
    ['10000000.1', true],
    ['100000000', true],
    ['0', false],
  ] as const)('isUnlimited(%s) = %s', (quota, expected) => {
    expect(isUnlimited(quota)).toBe(expected);
  });

  it('is exactly 10,000,000', () => {
    expect(UNLIMITED_QUOTA.toFixed()).toBe('10000000');
  });
});
