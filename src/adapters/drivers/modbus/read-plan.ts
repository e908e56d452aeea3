import type { DeviceProfile, RegisterTable, TagDefinition } from '../registry/device-profile.js';
import { registerCount } from '../registry/device-profile.js';

/** One Modbus read request covering several tags. */
export interface ReadBlock {
  unitId: number;
  table: RegisterTable;
  address: number;
  count: number;
  tags: readonly string[];
}

export interface PlanLimits {
  maxBlockRegisters: number;
  maxGapRegisters: number;
}

interface Span {
  name: string;
  unitId: number;
  table: RegisterTable;
  start: number;
  end: number;
}

/**
 * Groups tags into as few contiguous register blocks as possible: per unit and table, sorted by address,
 * a tag joins the current block when the gap is small and the block stays within the size limit.
 */
export function planReads(
  profile: DeviceProfile,
  unitId: number,
  tagNames: readonly string[],
  limits: PlanLimits,
): ReadBlock[] {
  const spans = [...new Set(tagNames)].map((name) => toSpan(name, profile.tags[name], unitId));
  spans.sort(compareSpans);
  const blocks: ReadBlock[] = [];
  let current: (ReadBlock & { tags: string[] }) | null = null;
  for (const span of spans) {
    if (current && fits(current, span, limits)) {
      current.count = Math.max(current.count, span.end - current.address);
      current.tags.push(span.name);
    } else {
      current = {
        unitId: span.unitId,
        table: span.table,
        address: span.start,
        count: span.end - span.start,
        tags: [span.name],
      };
      blocks.push(current);
    }
  }
  return blocks;
}

function toSpan(name: string, tag: TagDefinition | undefined, unitId: number): Span {
  if (!tag) throw new RangeError(`unknown tag ${name}`);
  return {
    name,
    unitId: tag.unit_id ?? unitId,
    table: tag.table,
    start: tag.address,
    end: tag.address + registerCount(tag),
  };
}

function compareSpans(a: Span, b: Span): number {
  return a.unitId - b.unitId || a.table.localeCompare(b.table) || a.start - b.start;
}

function fits(block: ReadBlock, span: Span, limits: PlanLimits): boolean {
  if (block.unitId !== span.unitId || block.table !== span.table) return false;
  const blockEnd = block.address + block.count;
  if (span.start - blockEnd > limits.maxGapRegisters) return false;
  return Math.max(blockEnd, span.end) - block.address <= limits.maxBlockRegisters;
}
