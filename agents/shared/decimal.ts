import { Decimal } from 'decimal.js';

/** Exact decimal arithmetic for kWh and money: 344.5 + 25.6 is 370.1, never 370.09999999999997. */
export const Dec = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
export type Dec = Decimal;

export type DecimalInput = string | number | Decimal;

export function dec(value: DecimalInput): Decimal {
  return new Dec(value);
}

/** Rounded to the service's precision, half away from zero (as the seed's Math.round does for positives). */
export function roundTo(value: DecimalInput, places: number): Decimal {
  return dec(value).toDecimalPlaces(places, Decimal.ROUND_HALF_UP);
}

/** Rounded down to the precision: credit never exceeds what was paid for. */
export function floorTo(value: DecimalInput, places: number): Decimal {
  return dec(value).toDecimalPlaces(places, Decimal.ROUND_DOWN);
}

/** For the wire: a JSON number whose shortest form is the exact decimal at that precision. */
export function toWire(value: DecimalInput, places: number): number {
  return Number(dec(value).toFixed(places));
}

/** For storage: the exact decimal as text. */
export function toStored(value: DecimalInput): string {
  return dec(value).toFixed();
}

/** "Unlimited" quota per SPEC §3. */
export const UNLIMITED_QUOTA = dec(10_000_000);

export function isUnlimited(quota: DecimalInput): boolean {
  return dec(quota).gte(UNLIMITED_QUOTA);
}
