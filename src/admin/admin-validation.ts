import { SwapdError } from '../errors.js';
import { createAjv } from '../validation/ajv.js';
import { toDetails } from '../validation/details.js';
import assetSchema from './asset-import.schema.json' with { type: 'json' };
import lifecycleSchema from './lifecycle-body.schema.json' with { type: 'json' };
import planSchema from './plan-import.schema.json' with { type: 'json' };

export interface PlanImport {
  plan_id: string;
  customer_id: string;
  template_id: string;
  status?: 'ACTIVE' | 'SUSPENDED' | 'COMPLETE';
  service_cycle?: string;
  payment_cycle?: string;
  serviceStates?: { service_id: string; used: number; quota?: number; current_asset?: string | null }[];
}

export interface AssetImport {
  asset_id: string;
  capacity_kwh: number;
  station_id?: string | null;
  status?: 'IN_STOCK' | 'FAULTED' | 'RETIRED';
}

/** The optional fields an operator's lifecycle request may carry over HTTP. */
export interface LifecycleBody {
  correlation_id?: string;
  requested_by?: string;
  reason?: string;
  station_id?: string;
}

const ajv = createAjv();
const validatePlans = ajv.compile<PlanImport[]>(planSchema);
const validateAssets = ajv.compile<AssetImport[]>(assetSchema);
const validateLifecycle = ajv.compile<LifecycleBody>(lifecycleSchema);

export function parsePlans(value: unknown): PlanImport[] {
  if (validatePlans(value)) return value;
  throw new SwapdError('SCHEMA_VIOLATION', 'plans do not match the import schema', {
    details: toDetails(validatePlans.errors),
  });
}

export function parseAssets(value: unknown): AssetImport[] {
  if (validateAssets(value)) return value;
  throw new SwapdError('SCHEMA_VIOLATION', 'assets do not match the import schema', {
    details: toDetails(validateAssets.errors),
  });
}

/** No body (or an empty one) is `{}`; anything else must match the schema, unknown fields included. */
export function parseLifecycleBody(value: unknown): LifecycleBody {
  if (value === undefined || value === null) return {};
  if (validateLifecycle(value)) return value;
  throw new SwapdError('SCHEMA_VIOLATION', 'the body does not match the lifecycle operation schema', {
    details: toDetails(validateLifecycle.errors),
  });
}
