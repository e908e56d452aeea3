import type { ActionHandler, BaseRequest } from '../handler.types.js';
import { refusal } from '../shared/agent.types.js';
import { planSummary } from '../shared/summary.js';
import schema from './request.schema.json' with { type: 'json' };

export interface IdentifyCustomerRequest extends BaseRequest {
  customer_id?: string;
  qr_code_data?: string;
}

export const identifyCustomer: ActionHandler<IdentifyCustomerRequest> = {
  action: 'IDENTIFY_CUSTOMER',
  requestSchema: schema,
  readOnly: true,
  assetIds: () => [],
  decide(ctx, req) {
    if (req.customer_id && req.customer_id !== ctx.plan.customer_id) {
      return refusal(
        'CUSTOMER_MISMATCH',
        'CUSTOMER_MISMATCH',
        `plan ${ctx.plan.plan_id} belongs to another customer`,
      );
    }
    return {
      success: true,
      signals: ['CUSTOMER_IDENTIFIED'],
      metadata: planSummary(ctx.plan),
      fsmInputs: [],
      effects: [],
    };
  },
};
