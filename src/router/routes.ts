import { closePlan } from '../../agents/close-plan/close-plan.handler.js';
import { collectPayment } from '../../agents/collect-payment/collect-payment.handler.js';
import { completeService } from '../../agents/complete-service/complete-service.handler.js';
import { confirmPayment } from '../../agents/confirm-payment/confirm-payment.handler.js';
import { equipmentCheckin } from '../../agents/equipment-checkin/equipment-checkin.handler.js';
import { equipmentCheckout } from '../../agents/equipment-checkout/equipment-checkout.handler.js';
import type { ActionHandler } from '../../agents/handler.types.js';
import { identifyCustomer } from '../../agents/identify-customer/identify-customer.handler.js';
import { identifyOutgoingEquipment } from '../../agents/identify-outgoing-equipment/identify-outgoing-equipment.handler.js';
import { identifyReturnedEquipment } from '../../agents/identify-returned-equipment/identify-returned-equipment.handler.js';
import { recoverBattery } from '../../agents/recover-battery/recover-battery.handler.js';
import { reportAttendantActivity } from '../../agents/report-attendant-activity/report-attendant-activity.handler.js';
import { reportBatteryLost } from '../../agents/report-battery-lost/report-battery-lost.handler.js';
import { resumePlan } from '../../agents/resume-plan/resume-plan.handler.js';
import { suspendPlan } from '../../agents/suspend-plan/suspend-plan.handler.js';
import type { Action } from './topics.js';

/**
 * The route table: an action to its handler. Reading it from a topic's operation to a handler to a
 * repository is how to find any behaviour.
 */
// biome-ignore lint/suspicious/noExplicitAny: handlers narrow their own request types
type AnyHandler = ActionHandler<any>;

export const routes = {
  IDENTIFY_CUSTOMER: identifyCustomer,
  IDENTIFY_RETURNED_EQUIPMENT: identifyReturnedEquipment,
  IDENTIFY_OUTGOING_EQUIPMENT: identifyOutgoingEquipment,
  EQUIPMENT_CHECKIN: equipmentCheckin,
  EQUIPMENT_CHECKOUT: equipmentCheckout,
  COLLECT_PAYMENT: collectPayment,
  COMPLETE_SERVICE: completeService,
  REPORT_ATTENDANT_ACTIVITY: reportAttendantActivity,
  CONFIRM_PAYMENT: confirmPayment,
  REPORT_BATTERY_LOST: reportBatteryLost,
  RECOVER_BATTERY: recoverBattery,
  SUSPEND_PLAN: suspendPlan,
  RESUME_PLAN: resumePlan,
  CLOSE_PLAN: closePlan,
} satisfies Record<Action, AnyHandler>;

export function requestSchemas(table: Partial<Record<Action, AnyHandler>> = routes): Record<string, object> {
  return Object.fromEntries(Object.entries(table).map(([action, h]) => [action, h.requestSchema]));
}
