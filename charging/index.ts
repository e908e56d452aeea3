/** Charging policy (pure): see charge-plan.ts. The guard in safety/ judges what it proposes. */
export {
  type ChargeSettings,
  DEFAULT_CHARGE_SETTINGS,
  type Demand,
  floorTo,
  shareFairly,
  taperedKw,
  wantsCharge,
} from './charge-plan.js';
