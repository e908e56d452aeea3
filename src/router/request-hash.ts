import { createHash } from 'node:crypto';

type Frame = { text: string } | { value: unknown };

/** Keys in the order the canonical form has always used: sorted, integer-like keys first as JS orders them. */
function orderedKeys(value: Record<string, unknown>): string[] {
  const sorted = Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.keys(Object.fromEntries(sorted));
}

/** Pushes a container's pieces so that they pop in output order: open, item, comma, item, …, close. */
function pushContainer(stack: Frame[], open: string, close: string, items: Frame[][]): void {
  stack.push({ text: close });
  for (let i = items.length - 1; i >= 0; i--) {
    stack.push(...(items[i] as Frame[]).reverse());
    if (i > 0) stack.push({ text: ',' });
  }
  stack.push({ text: open });
}

/**
 * The canonical JSON text of a value: object keys sorted, undefined members left out, no whitespace.
 * Built with an explicit stack, not recursion, so no nesting depth can overflow the call stack; the text
 * is byte for byte what `JSON.stringify` of the recursively key-sorted value gives.
 */
export function canonicalJson(root: unknown): string {
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
      pushContainer(
        stack,
        '[',
        ']',
        value.map((v) => [{ value: v === undefined ? null : v }]),
      );
    } else if (value !== null && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      const members = orderedKeys(record).map((k) => [
        { text: `${JSON.stringify(k)}:` },
        { value: record[k] },
      ]);
      pushContainer(stack, '{', '}', members);
    } else {
      out.push(JSON.stringify(value) ?? 'null');
    }
  }
  return out.join('');
}

/**
 * Identity of a request for idempotency: its fields in canonical order, without the send timestamp
 * and without the correlation_id (the key itself, or for Odoo a per-retry id beside the receipt key),
 * nor a callback's signature and signing time.
 */
export function requestHash(operation: string, request: Record<string, unknown>): string {
  // A retried Odoo callback is signed again: its signature and signed_at are not part of its identity.
  const {
    timestamp: _sent,
    correlation_id: _key,
    signed_at: _signedAt,
    signature: _signature,
    ...fields
  } = request;
  return createHash('sha256')
    .update(operation)
    .update('\n')
    .update(canonicalJson(fields))
    .digest('base64url');
}
