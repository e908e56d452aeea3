import { DriverError } from '../../../ports/data-provider.js';

/**
 * SPEC-001 §4.5 read bounds: a value outside the profile's range for its tag is not a measurement but a
 * misread (a corrupt answer, a wrong register, a sensor fault). It is refused as INVALID_READ rather than
 * passed on to the safety guard, the scanner or telemetry.
 */
export function checkReadBounds(
  tag: string,
  def: { range?: readonly [number, number] | [number, number] },
  value: number,
  source: string,
): void {
  const range = def.range;
  if (!range) return;
  if (Number.isFinite(value) && value >= range[0] && value <= range[1]) return;
  throw new DriverError(
    'INVALID_READ',
    `${source}: ${tag} read ${value}, outside its plausible range ${range[0]}..${range[1]}; reading refused`,
    { tag, value, range: [range[0], range[1]], source },
  );
}
