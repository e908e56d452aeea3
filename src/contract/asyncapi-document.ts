import commonSchema from '../../agents/common.schema.json' with { type: 'json' };
import envelopeRequest from '../../agents/messages/envelope-request.schema.json' with { type: 'json' };
import envelopeResponse from '../../agents/messages/envelope-response.schema.json' with { type: 'json' };
import response from '../../agents/messages/response.schema.json' with { type: 'json' };
import { eventTopics } from '../../agents/shared/events.js';
import { requestSchemas } from '../router/routes.js';
import { type Action, ATTENDANT_OPERATIONS, BILLING_OPERATIONS, OPS_OPERATIONS } from '../router/topics.js';
import { EVENT_SCHEMAS } from '../validation/message-schemas.js';
import { SPEC003_MESSAGE_TYPES, SPEC003_SCHEMAS } from '../validation/spec003/spec003-validator.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const COMMON_PREFIX = 'swapd:common#/$defs/';
const LOCAL_PREFIX = '#/$defs/';

/**
 * A project schema as an AsyncAPI Schema Object: `$id` dropped, and references to the shared
 * definitions (`swapd:common#/$defs/x`, or `#/$defs/x` inside them) pointed at `components.schemas`.
 * Bounded by the schemas' own depth (they are the project's files, not outside input).
 */
export function toAsyncApiSchema(schema: unknown): Json {
  if (Array.isArray(schema)) return schema.map(toAsyncApiSchema);
  if (schema === null || typeof schema !== 'object') return schema as Json;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$id' || key === '$schema') continue;
    if (key === '$ref' && typeof value === 'string') {
      const name = value.startsWith(COMMON_PREFIX)
        ? value.slice(COMMON_PREFIX.length)
        : value.startsWith(LOCAL_PREFIX)
          ? value.slice(LOCAL_PREFIX.length)
          : null;
      if (name === null) throw new Error(`unsupported $ref in a message schema: ${value}`);
      out.$ref = `#/components/schemas/${name}`;
      continue;
    }
    out[key] = toAsyncApiSchema(value);
  }
  return out;
}

function camel(snake: string): string {
  return snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

const PLAN_ID = { description: "The customer's service plan (subscription code)." };
const QOS1 = { mqtt: { qos: 1, bindingVersion: '0.2.0' } };
const CORRELATION = { $ref: '#/components/correlationIds/correlationId' };

interface RequestFamily {
  /** `attendant`, `billing` or `ops` (the operator is both origin and domain: `call/ops/plan/...`). */
  domain: 'attendant' | 'billing' | 'ops';
  origin: 'uxi' | 'odoo' | 'ops';
  verbs: ('call' | 'emit')[];
  operations: Record<string, Action>;
  /** Who sends it, for the descriptions. */
  sender: string;
  envelope: boolean;
}

const FAMILIES: RequestFamily[] = [
  {
    domain: 'attendant',
    origin: 'uxi',
    verbs: ['call', 'emit'],
    operations: ATTENDANT_OPERATIONS,
    sender: 'the attendant app',
    envelope: true,
  },
  {
    domain: 'billing',
    origin: 'odoo',
    verbs: ['call'],
    operations: BILLING_OPERATIONS,
    sender: 'Odoo',
    envelope: false,
  },
  {
    domain: 'ops',
    origin: 'ops',
    verbs: ['call'],
    operations: OPS_OPERATIONS,
    sender: 'an operator (plan and battery lifecycle)',
    envelope: false,
  },
];

function requestAddress(verb: string, family: RequestFamily): string {
  return family.domain === 'ops' ? `${verb}/ops` : `${verb}/${family.origin}/${family.domain}`;
}

/** The channels, operations and messages of one request/response pair per verb. */
function requestChannels(family: RequestFamily, doc: { channels: JsonObject; operations: JsonObject }) {
  for (const [operation, action] of Object.entries(family.operations)) {
    for (const verb of family.verbs) {
      const reply = verb === 'call' ? 'rtrn' : 'echo';
      const requestId = camel(`${verb}_${operation}`);
      const replyId = camel(`${reply}_${operation}_response`);
      const requestMessages: JsonObject = { [action]: { $ref: `#/components/messages/${action}` } };
      if (family.envelope)
        requestMessages.envelopeRequest = { $ref: '#/components/messages/envelopeRequest' };
      const replyMessages: JsonObject = { response: { $ref: '#/components/messages/response' } };
      if (family.envelope)
        replyMessages.envelopeResponse = { $ref: '#/components/messages/envelopeResponse' };
      doc.channels[requestId] = {
        address: `${requestAddress(verb, family)}/plan/{plan_id}/${operation}`,
        title: `${action} (${verb})`,
        description: `${action} from ${family.sender}${verb === 'emit' ? ' (fire-and-forget form; answered on echo/)' : ''}.`,
        parameters: { plan_id: PLAN_ID },
        messages: requestMessages,
      };
      doc.channels[replyId] = {
        address: `${reply}/abs/${family.domain}/plan/{plan_id}/${operation}_response`,
        title: `${action} answer (${reply})`,
        description: `swapd's one answer to every ${action} on ${verb}/, failures included.`,
        parameters: { plan_id: PLAN_ID },
        messages: replyMessages,
      };
      doc.operations[requestId] = {
        action: 'receive',
        title: `Answer ${action}`,
        channel: { $ref: `#/channels/${requestId}` },
        messages: Object.keys(requestMessages).map((m) => ({
          $ref: `#/channels/${requestId}/messages/${m}`,
        })),
        bindings: QOS1,
        reply: {
          channel: { $ref: `#/channels/${replyId}` },
          messages: Object.keys(replyMessages).map((m) => ({ $ref: `#/channels/${replyId}/messages/${m}` })),
        },
      };
    }
  }
}

const EVENT_TOPICS: Record<string, (planId: string) => string> = {
  SERVICE_COMPLETED: eventTopics.serviceCompleted,
  PAYMENT_RECEIVED: eventTopics.paymentReceived,
  PAYMENT_COLLECTED: eventTopics.paymentCollected,
  PAYMENT_REJECTED: eventTopics.paymentRejected,
  QUOTA_EXHAUSTED: eventTopics.quotaExhausted,
};

function eventChannels(doc: { channels: JsonObject; operations: JsonObject }) {
  for (const type of Object.keys(EVENT_SCHEMAS)) {
    const topic = EVENT_TOPICS[type];
    if (!topic) throw new Error(`event ${type} has a schema but no topic in the contract`);
    const id = camel(type.toLowerCase());
    const message = `event${type}`;
    doc.channels[id] = {
      address: topic('{plan_id}'),
      title: `${type} event`,
      description:
        'Published at QoS 1 from the transactional outbox once the change is committed; delivered at least once, deduplicate on event_id.',
      parameters: { plan_id: PLAN_ID },
      messages: { [message]: { $ref: `#/components/messages/${message}` } },
    };
    doc.operations[`publish${id[0]?.toUpperCase()}${id.slice(1)}`] = {
      action: 'send',
      title: `Publish ${type}`,
      channel: { $ref: `#/channels/${id}` },
      messages: [{ $ref: `#/channels/${id}/messages/${message}` }],
      bindings: QOS1,
    };
  }
}

/** SPEC-003 QoS: safety events are never lost (QoS 1, through the outbox); the rest is a stream. */
const SPEC003_QOS: Record<string, number> = { safety_event: 1 };

/** `bessai/{site_id}/{message_type}`: what the station role publishes; the agent role ingests telemetry. */
function spec003Channels(doc: { channels: JsonObject; operations: JsonObject }, messages: JsonObject) {
  for (const type of SPEC003_MESSAGE_TYPES) {
    const id = camel(`bessai_${type}`);
    const name = `spec003${camel(`_${type}`)}`;
    const envelope = toAsyncApiSchema(SPEC003_SCHEMAS.envelope) as JsonObject;
    const properties = { ...(envelope.properties as JsonObject) };
    properties.message_type = { type: 'string', const: type };
    properties.payload = toAsyncApiSchema(SPEC003_SCHEMAS.payloads[type]);
    messages[name] = {
      name,
      title: `SPEC-003 ${type}`,
      contentType: 'application/json',
      summary: `A BESSAI-SPEC-003 envelope whose payload is a ${type}.`,
      payload: { ...envelope, properties },
    };
    doc.channels[id] = {
      address: `bessai/{site_id}/${type}`,
      title: `SPEC-003 ${type}`,
      description:
        'Validated against the SPEC-003 schemas before it is sent; an invalid message is not sent, and is counted and logged.',
      parameters: { site_id: { description: 'The station site id (SITE-KE-001 pattern).' } },
      messages: { [name]: { $ref: `#/components/messages/${name}` } },
    };
    const qos = { mqtt: { qos: SPEC003_QOS[type] ?? 0, bindingVersion: '0.2.0' } };
    doc.operations[camel(`publish_${type}`)] = {
      action: 'send',
      title: `Publish SPEC-003 ${type} (station role)`,
      channel: { $ref: `#/channels/${id}` },
      messages: [{ $ref: `#/channels/${id}/messages/${name}` }],
      bindings: qos,
    };
    if (type === 'telemetry') {
      doc.operations.ingestTelemetry = {
        action: 'receive',
        title: 'Ingest SPEC-003 telemetry from station controllers (agent role)',
        channel: { $ref: `#/channels/${id}` },
        messages: [{ $ref: `#/channels/${id}/messages/${name}` }],
        bindings: qos,
      };
    }
  }
}

function message(name: string, title: string, schema: unknown, correlated: boolean): Json {
  const described = schema as { description?: string };
  return {
    name,
    title,
    contentType: 'application/json',
    ...(described.description ? { summary: described.description } : {}),
    ...(correlated ? { correlationId: CORRELATION } : {}),
    payload: toAsyncApiSchema(schema),
  };
}

/**
 * swapd's MQTT API as an AsyncAPI 3 document, built from the project's own topic table, route table
 * and JSON Schemas (the schemas the running process validates with), so it cannot drift from them.
 */
export function buildAsyncApiDocument(version: string): JsonObject {
  const doc = { channels: {} as JsonObject, operations: {} as JsonObject };
  for (const family of FAMILIES) requestChannels(family, doc);
  eventChannels(doc);
  const requests = requestSchemas();
  const messages: JsonObject = {};
  for (const [action, schema] of Object.entries(requests)) {
    messages[action] = message(action, `${action} request`, schema, true);
  }
  messages.envelopeRequest = message('envelopeRequest', 'Request in the app envelope', envelopeRequest, true);
  messages.response = message('response', 'Response', response, true);
  messages.envelopeResponse = message(
    'envelopeResponse',
    'Response in the app envelope',
    envelopeResponse,
    true,
  );
  for (const [type, schema] of Object.entries(EVENT_SCHEMAS)) {
    messages[`event${type}`] = message(`event${type}`, `${type} event`, schema, false);
  }
  spec003Channels(doc, messages);
  const schemas: JsonObject = {};
  for (const [name, schema] of Object.entries(commonSchema.$defs)) schemas[name] = toAsyncApiSchema(schema);
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'swapd MQTT API',
      version,
      description:
        'Requests from the attendant app and Odoo, answers, and back-office events of swapd, the battery swap station runtime. Generated by `swapd asyncapi` from the topic table and the JSON Schemas swapd validates every message with; do not edit by hand. Every request gets exactly one answer; a repeated correlation_id is answered from the stored answer and applies nothing twice.',
    },
    defaultContentType: 'application/json',
    servers: {
      embedded: {
        host: '127.0.0.1:1883',
        protocol: 'mqtt',
        description:
          "The embedded default's broker (aedes, MQTT 3.1.1); SWAPD_BROKER_HOST and SWAPD_BROKER_PORT move it.",
      },
      external: {
        host: '{host}',
        protocol: 'mqtts',
        protocolVersion: '5',
        description:
          'An external broker (Mosquitto) swapd attaches to with SWAPD_MQTT_URL; MQTT 5 requests with a Response Topic are also answered there.',
        variables: { host: { default: 'broker.example:8883' } },
      },
    },
    channels: doc.channels,
    operations: doc.operations,
    components: {
      schemas,
      messages,
      correlationIds: {
        correlationId: {
          description: "The request's correlation_id, echoed in its answer (idempotency key).",
          location: '$message.payload#/correlation_id',
        },
      },
    },
  };
}
