import type { ActionHandler, BaseRequest } from '../handler.types.js';
import schema from './request.schema.json' with { type: 'json' };

export interface ReportActivityRequest extends BaseRequest {
  activity_type: string;
  description?: string;
  details?: Record<string, unknown>;
}

/** Kept in the audit log with who reported it, where and when. */
export const reportAttendantActivity: ActionHandler<ReportActivityRequest> = {
  action: 'REPORT_ATTENDANT_ACTIVITY',
  requestSchema: schema,
  readOnly: false,
  assetIds: () => [],
  decide(ctx, req) {
    return {
      success: true,
      signals: ['ACTIVITY_RECORDED'],
      metadata: { activity_type: req.activity_type, recorded_at: ctx.now.toISOString() },
      fsmInputs: [],
      effects: [
        {
          kind: 'audit',
          audit_kind: `attendant_activity:${req.activity_type}`,
          requester: req.attendant_id ?? null,
          decision: 'RECORDED',
          details: {
            correlation_id: req.correlation_id,
            station: req.attendant_station ?? null,
            description: req.description ?? null,
            details: req.details ?? {},
            reported_at: req.timestamp ?? null,
          },
        },
      ],
    };
  },
};
