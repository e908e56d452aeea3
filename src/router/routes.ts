import { equipmentCheckout } from '../../agents/equipment-checkout/equipment-checkout.handler.js';
import type { ActionHandler } from '../../agents/handler.types.js';
import { identifyCustomer } from '../../agents/identify-customer/identify-customer.handler.js';
import type { Action } from './topics.js';

/**
 * The route table: an action to its handler. Reading it from a topic's operation to a handler to a
 * repository is how to find any behaviour.
 */
// biome-ignore lint/suspicious/noExplicitAny: handlers narrow their own request types
type AnyHandler = ActionHandler<any>;

export const routes: Partial<Record<Action, AnyHandler>> = {
  IDENTIFY_CUSTOMER: identifyCustomer,
  EQUIPMENT_CHECKOUT: equipmentCheckout,
};

export function requestSchemas(table: Partial<Record<Action, AnyHandler>> = routes): Record<string, object> {
  return Object.fromEntries(Object.entries(table).map(([action, h]) => [action, h.requestSchema]));
}
