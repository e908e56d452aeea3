import type { KeywordDefinition } from 'ajv';
import { isCleanText } from './clean-text.js';

/** `"freeForm": { "maxDepth": 8, "maxNodes": 500 }` on an object or array the schema leaves open. */
export interface FreeFormLimits {
  maxDepth: number;
  maxNodes: number;
}

interface FreeFormError {
  path: string;
  message: string;
}

function childrenOf(value: unknown): [string, unknown][] {
  if (Array.isArray(value)) return value.map((v, i) => [String(i), v]);
  if (value !== null && typeof value === 'object') return Object.entries(value as Record<string, unknown>);
  return [];
}

/**
 * Walks a free-form value without recursion (an explicit stack: no nesting overflows it) and reports
 * the first breach: too deep, too many values, or text that breaks the string rule (keys included).
 */
export function checkFreeForm(root: unknown, limits: FreeFormLimits): FreeFormError | null {
  const stack: { value: unknown; depth: number; path: string }[] = [{ value: root, depth: 0, path: '' }];
  let nodes = 0;
  while (stack.length > 0) {
    const { value, depth, path } = stack.pop() as { value: unknown; depth: number; path: string };
    if (++nodes > limits.maxNodes) return { path, message: `holds more than ${limits.maxNodes} values` };
    if (typeof value === 'string' && !isCleanText(value))
      return { path, message: 'must not contain NUL or unpaired surrogates' };
    const children = childrenOf(value);
    if (children.length === 0) continue;
    if (depth >= limits.maxDepth) return { path, message: `nests deeper than ${limits.maxDepth} levels` };
    for (const [key, child] of children) {
      if (!isCleanText(key)) return { path, message: 'has a key with NUL or unpaired surrogates' };
      stack.push({ value: child, depth: depth + 1, path: `${path}/${key}` });
    }
  }
  return null;
}

/** The ajv keyword: free-form parts of a message stay bounded in depth and size and clean of bad text. */
export const freeFormKeyword: KeywordDefinition = {
  keyword: 'freeForm',
  type: ['object', 'array'],
  schemaType: 'object',
  metaSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['maxDepth', 'maxNodes'],
    properties: {
      maxDepth: { type: 'integer', minimum: 1 },
      maxNodes: { type: 'integer', minimum: 1 },
    },
  },
  errors: true,
  validate: function validateFreeForm(limits: FreeFormLimits, data: unknown): boolean {
    const breach = checkFreeForm(data, limits);
    if (!breach) return true;
    const self = validateFreeForm as unknown as { errors: object[] };
    self.errors = [
      {
        keyword: 'freeForm',
        message: `${breach.path ? `${breach.path} ` : ''}${breach.message}`,
        params: {},
      },
    ];
    return false;
  },
};
