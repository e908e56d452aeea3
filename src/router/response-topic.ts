import { isCleanText } from '../validation/clean-text.js';

/** Why an MQTT 5 Response Topic was not answered on (the metric's label). */
export type IgnoredReason = 'outside_prefix' | 'malformed' | 'disabled';

/** MQTT's own topic length limit, in UTF-8 bytes. */
const MAX_TOPIC_BYTES = 65535;

/**
 * Decides whether swapd may publish an answer on the Response Topic a requester named. swapd publishes
 * under its own identity, so a requester must not be able to send it to any topic (an event topic,
 * another plan's answers): only topics under the configured prefix (`rtrn/client/` by default, where
 * each client's `rtrn/client/{client_id}/…` is readable by it alone by the broker's ACL) are answered
 * on. The publisher of a request is unknown to swapd, so which client id a requester names under the
 * prefix cannot be checked here. Pure: no I/O.
 */
export function checkResponseTopic(topic: string, prefix: string | null): IgnoredReason | null {
  if (prefix === null) return 'disabled';
  if (!topic.startsWith(prefix) || topic.length === prefix.length) return 'outside_prefix';
  if (/[+#]/.test(topic) || !isCleanText(topic) || Buffer.byteLength(topic) > MAX_TOPIC_BYTES)
    return 'malformed';
  return null;
}
