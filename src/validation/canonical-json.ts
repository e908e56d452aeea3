/**
 * Canonical JSON text written with an explicit stack, not recursion, so that no nesting depth of
 * outside input can overflow the call stack. Members whose value is undefined are left out (as
 * `JSON.stringify` leaves them out), undefined array items are null; the caller decides the member order.
 */
type Frame = { text: string } | { value: unknown };

/** The members of an object, in the order they are written. */
export type MemberOrder = (value: Record<string, unknown>) => string[];

/** Pushes a container's pieces so that they pop in output order: open, item, comma, item, …, close. */
function pushContainer(stack: Frame[], open: string, close: string, items: Frame[][]): void {
  stack.push({ text: close });
  for (let i = items.length - 1; i >= 0; i--) {
    stack.push(...(items[i] as Frame[]).reverse());
    if (i > 0) stack.push({ text: ',' });
  }
  stack.push({ text: open });
}

export function canonicalText(root: unknown, order: MemberOrder): string {
  const out: string[] = [];
  const stack: Frame[] = [{ value: root }];
  while (stack.length > 0) {
    const frame = stack.pop() as Frame;
    if ('text' in frame) {
      out.push(frame.text);
      continue;
    }
    const value = frame.value;
    if (Array.isArray(value)) {
      const items = value.map((v) => [{ value: v === undefined ? null : v }]);
      pushContainer(stack, '[', ']', items);
    } else if (value !== null && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      const members = order(record).map((k) => [{ text: `${JSON.stringify(k)}:` }, { value: record[k] }]);
      pushContainer(stack, '{', '}', members);
    } else {
      out.push(JSON.stringify(value) ?? 'null');
    }
  }
  return out.join('');
}

/**
 * RFC 8785 (JSON Canonicalization Scheme) member order: names sorted by their UTF-16 code units, which
 * is JavaScript's default string order. With `JSON.stringify` for strings and numbers (ECMAScript's
 * serialisation, which RFC 8785 adopts), `canonicalText(value, jcsOrder)` is the JCS form of a JSON value.
 */
export const jcsOrder: MemberOrder = (value) =>
  Object.keys(value)
    .filter((k) => value[k] !== undefined)
    .sort();
