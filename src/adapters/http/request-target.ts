import { isCleanText } from '../../validation/clean-text.js';

/**
 * Total parsing of an HTTP request target: every function here returns a value or null, none throws,
 * whatever bytes a client sends (bad percent-escapes, absolute or scheme-relative forms, NUL).
 */
export interface RequestTarget {
  /** The path's raw segments (still percent-encoded), without the leading empty one. */
  segments: string[];
}

const MAX_TARGET_LENGTH = 8192;

/** origin-form only (`/path?query`): what an operator client sends; anything else is not ours. */
export function parseTarget(raw: string | undefined): RequestTarget | null {
  if (!raw || raw.length > MAX_TARGET_LENGTH || !raw.startsWith('/')) return null;
  const end = raw.search(/[?#]/);
  const path = end === -1 ? raw : raw.slice(0, end);
  return { segments: path.split('/').slice(1) };
}

/** One path segment decoded; null when its escapes are malformed or it decodes to NUL or a lone surrogate. */
export function decodeSegment(segment: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    return null;
  }
  return isCleanText(decoded) ? decoded : null;
}

export type RouteMatch = { params: Record<string, string> } | { badSegment: string } | null;

/** `/api/v1/assets/:asset_id/…` against the raw segments: literal segments compare raw, parameters decode. */
export function matchPattern(pattern: string, target: RequestTarget): RouteMatch {
  const expected = pattern.split('/').slice(1);
  if (expected.length !== target.segments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < expected.length; i++) {
    const want = expected[i] as string;
    const got = target.segments[i] as string;
    if (!want.startsWith(':')) {
      if (want !== got) return null;
      continue;
    }
    const value = decodeSegment(got);
    if (value === null || value === '') return { badSegment: want.slice(1) };
    params[want.slice(1)] = value;
  }
  return { params };
}
