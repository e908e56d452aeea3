/**
 * MQTT topic filters as brokers match them (MQTT 3.1.1 §4.7): `+` one level, `#` the rest, and a
 * filter that starts with a wildcard never matches a topic that starts with `$` (`$SYS/...`).
 */
function dollarBarrier(filter: string, topic: string): boolean {
  return topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'));
}

/** A filter compiled once: matches a topic given as its levels (the topic split on `/` once per message). */
export type TopicMatcher = (topic: string, levels: readonly string[]) => boolean;

export function compileFilter(filter: string): TopicMatcher {
  const f = filter.split('/');
  const wildFirst = f[0] === '+' || f[0] === '#';
  const multi = f[f.length - 1] === '#';
  const fixed = multi ? f.length - 1 : f.length;
  return (topic, t) => {
    if (wildFirst && topic.startsWith('$')) return false;
    if (multi ? t.length < fixed : t.length !== fixed) return false;
    for (let i = 0; i < fixed; i++) if (f[i] !== '+' && f[i] !== t[i]) return false;
    return true;
  };
}

/** Does the concrete topic match the filter? */
export function topicMatches(filter: string, topic: string): boolean {
  return compileFilter(filter)(topic, topic.split('/'));
}

/** Does every topic that `inner` matches also match `outer`? (Both are filters.) */
export function filterCovers(outer: string, inner: string): boolean {
  if (dollarBarrier(outer, inner)) return false;
  const o = outer.split('/');
  const n = inner.split('/');
  for (let i = 0; i < o.length; i++) {
    const level = o[i];
    if (level === '#') return true;
    const other = n[i];
    if (other === undefined || other === '#') return false;
    if (level === '+') continue;
    if (other === '+' || other !== level) return false;
  }
  return o.length === n.length;
}

/** A filter is well formed: `#` only last and alone in its level, `+` alone in its level, no NUL. */
export function isValidFilter(filter: string): boolean {
  if (filter.length === 0 || filter.includes(String.fromCharCode(0))) return false;
  const levels = filter.split('/');
  return levels.every(
    (level, i) =>
      (level === '#' ? i === levels.length - 1 : !level.includes('#')) &&
      (level === '+' || !level.includes('+')),
  );
}

/** A topic one may publish on: no wildcards, not empty, no NUL. */
export function isValidTopic(topic: string): boolean {
  return topic.length > 0 && !/[+#]/.test(topic) && !topic.includes(String.fromCharCode(0));
}
