import envelopeRequest from '../../agents/messages/envelope-request.schema.json' with { type: 'json' };
import envelopeResponse from '../../agents/messages/envelope-response.schema.json' with { type: 'json' };
import paymentCollected from '../../agents/messages/payment-collected.event.schema.json' with {
  type: 'json',
};
import paymentReceived from '../../agents/messages/payment-received.event.schema.json' with { type: 'json' };
import paymentRejected from '../../agents/messages/payment-rejected.event.schema.json' with { type: 'json' };
import quotaExhausted from '../../agents/messages/quota-exhausted.event.schema.json' with { type: 'json' };
import response from '../../agents/messages/response.schema.json' with { type: 'json' };
import serviceCompleted from '../../agents/messages/service-completed.event.schema.json' with {
  type: 'json',
};

/**
 * The API in one place: every message that enters or leaves swapd has its schema here or beside its
 * handler (agents/<action>/request.schema.json, listed through the route table).
 */
export const EVENT_SCHEMAS: Record<string, object> = {
  SERVICE_COMPLETED: serviceCompleted,
  PAYMENT_RECEIVED: paymentReceived,
  QUOTA_EXHAUSTED: quotaExhausted,
  PAYMENT_COLLECTED: paymentCollected,
  PAYMENT_REJECTED: paymentRejected,
};

export const ENVELOPE_REQUEST = 'request:envelope';
export const RESPONSE = 'response';
export const ENVELOPE_RESPONSE = 'response:envelope';

export function messageSchemas(requestSchemas: Record<string, object>): Record<string, object> {
  const events = Object.fromEntries(
    Object.entries(EVENT_SCHEMAS).map(([type, schema]) => [`event:${type}`, schema]),
  );
  return {
    ...requestSchemas,
    [ENVELOPE_REQUEST]: envelopeRequest,
    [RESPONSE]: response,
    [ENVELOPE_RESPONSE]: envelopeResponse,
    ...events,
  };
}
