import { compileFilter, type TopicMatcher } from '../../access/topic-filter.js';

/** A subscription's filter without its `$share/<group>/` prefix: what the broker matches topics against. */
function plainFilter(filter: string): string {
  return filter.startsWith('$share/') ? filter.split('/').slice(2).join('/') : filter;
}

/** The filters of one subscriber, compiled once; a message's topic is split once for all of them. */
export function subscriptionMatcher(filters: readonly string[]): TopicMatcher {
  const matchers = filters.map((f) => compileFilter(plainFilter(f)));
  return (topic, levels) => matchers.some((m) => m(topic, levels));
}

/**
 * Whether an MQTT topic filter (with `+` and `#` wildcards, and a `$share/<group>/` prefix) matches a
 * topic, so each subscriber's handler sees only its own messages.
 */
export function matchesFilter(filter: string, topic: string): boolean {
  return subscriptionMatcher([filter])(topic, topic.split('/'));
}
