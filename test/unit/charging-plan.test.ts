import { describe, expect, it } from 'vitest';
import {
  type ChargeSettings,
  DEFAULT_CHARGE_SETTINGS,
  floorTo,
  shareFairly,
  taperedKw,
  wantsCharge,
} from '../../charging/index.js';

const SETTINGS: ChargeSettings = { ...DEFAULT_CHARGE_SETTINGS, targetSocPct: 90 };

describe('wantsCharge: hysteresis around the target', () => {
  it.each([
    [87.9, false, true],
    [88, false, false],
    [89.9, false, false],
    [89.9, true, true],
    [90, true, false],
    [95, true, false],
  ])('SOC %f, was charging %s → %s', (soc, was, wants) => {
    expect(wantsCharge(soc, 90, was, 2)).toBe(wants);
  });
});

describe('taperedKw: full power until the last 5 points, then linear, never below 10 %', () => {
  it.each([
    [50, 7.2],
    [85, 7.2],
    [87.5, 3.6],
    [89, 1.44],
    [89.9, 0.72],
    [90, 0],
    [92, 0],
  ])('SOC %f → %f kW', (soc, kw) => {
    expect(taperedKw(soc, 90, 7.2, SETTINGS)).toBeCloseTo(kw, 9);
  });

  it('a slot with no power to give takes none', () => {
    expect(taperedKw(50, 90, 0, SETTINGS)).toBe(0);
  });
});

describe('shareFairly: max-min fair shares of the station limit', () => {
  const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

  it('gives everyone their demand when the limit allows', () => {
    const shares = shareFairly(
      [
        { id: 'a', kw: 7.2 },
        { id: 'b', kw: 3 },
      ],
      40,
      0.1,
    );
    expect(Object.fromEntries(shares)).toEqual({ a: 7.2, b: 3 });
  });

  it('splits equally when all want more than an equal share', () => {
    const demands = Array.from({ length: 16 }, (_, i) => ({ id: `s${i}`, kw: 7.2 }));
    const shares = shareFairly(demands, 40, 0.1);
    expect([...shares.values()].every((kw) => kw === 2.5)).toBe(true);
    expect(sum(shares)).toBe(40);
  });

  it('hands what a small demand leaves to the others', () => {
    const shares = shareFairly(
      [
        { id: 'tapering', kw: 1 },
        { id: 'x', kw: 7.2 },
        { id: 'y', kw: 7.2 },
      ],
      10,
      0.1,
    );
    expect(Object.fromEntries(shares)).toEqual({ tapering: 1, x: 4.5, y: 4.5 });
  });

  it('rounds down to the step so the sum never exceeds the limit', () => {
    const demands = Array.from({ length: 3 }, (_, i) => ({ id: `s${i}`, kw: 7.2 }));
    const shares = shareFairly(demands, 10, 0.1);
    expect([...shares.values()]).toEqual([3.3, 3.3, 3.4]);
    expect(sum(shares)).toBeLessThanOrEqual(10);
  });

  it('gives zero to slots that want nothing, and nothing at all under a zero limit', () => {
    expect(
      Object.fromEntries(
        shareFairly(
          [
            { id: 'a', kw: 0 },
            { id: 'b', kw: 5 },
          ],
          3,
          0.1,
        ),
      ),
    ).toEqual({ a: 0, b: 3 });
    expect(Object.fromEntries(shareFairly([{ id: 'a', kw: 5 }], 0, 0.1))).toEqual({ a: 0 });
    expect(Object.fromEntries(shareFairly([{ id: 'a', kw: 5 }], -3, 0.1))).toEqual({ a: 0 });
  });

  it('is deterministic: equal demands are served in id order', () => {
    const a = shareFairly(
      [
        { id: 'b', kw: 5 },
        { id: 'a', kw: 5 },
      ],
      7,
      0.1,
    );
    expect(Object.fromEntries(a)).toEqual({ a: 3.5, b: 3.5 });
  });

  it('never exceeds the limit over many random stations', () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let run = 0; run < 500; run++) {
      const demands = Array.from({ length: 1 + Math.floor(rand() * 30) }, (_, i) => ({
        id: `s${i}`,
        kw: rand() * 8,
      }));
      const limit = rand() * 60;
      const shares = shareFairly(demands, limit, 0.1);
      expect(sum(shares)).toBeLessThanOrEqual(limit + 1e-9);
      for (const d of demands) expect(shares.get(d.id)).toBeLessThanOrEqual(d.kw + 1e-9);
    }
  });
});

describe('floorTo', () => {
  it.each([
    [2.9999999999, 0.1, 3],
    [2.96, 0.1, 2.9],
    [0.05, 0.1, 0],
    [-1, 0.1, 0],
    [0.3, 0.1, 0.3],
  ])('floorTo(%f, %f) = %f', (value, step, result) => {
    expect(floorTo(value, step)).toBe(result);
  });
});
