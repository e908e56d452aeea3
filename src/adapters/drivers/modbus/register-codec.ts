import type { TagDefinition, WordOrder } from '../registry/device-profile.js';
import { registerCount } from '../registry/device-profile.js';

/**
 * Register ⇄ physical value conversion for one tag. Registers are 16-bit big-endian (Modbus);
 * 32-bit values span two registers in the tag's (or profile's) word order. physical = raw × scale + offset.
 */
export function decodeNumber(tag: TagDefinition, words: readonly number[], defaultOrder: WordOrder): number {
  const raw = decodeRaw(tag, words, tag.word_order ?? defaultOrder);
  const value = raw * (tag.scale ?? 1) + (tag.offset ?? 0);
  return tag.type === 'f32' ? value : roundPhysical(value, tag.scale);
}

/** The registers to write for a physical value (rounded to the register's resolution). */
export function encodeNumber(tag: TagDefinition, value: number, defaultOrder: WordOrder): number[] {
  const raw = (value - (tag.offset ?? 0)) / (tag.scale ?? 1);
  const buf = Buffer.alloc(4);
  switch (tag.type) {
    case 'u16':
      return [clampInt(Math.round(raw), 0, 0xffff)];
    case 'i16':
      return [clampInt(Math.round(raw), -0x8000, 0x7fff) & 0xffff];
    case 'u32':
      buf.writeUInt32BE(clampInt(Math.round(raw), 0, 0xffffffff));
      break;
    case 'i32':
      buf.writeInt32BE(clampInt(Math.round(raw), -0x80000000, 0x7fffffff));
      break;
    case 'f32':
      buf.writeFloatBE(raw);
      break;
    case 'string':
      throw new TypeError('string tags are not numbers');
  }
  return orderWords([buf.readUInt16BE(0), buf.readUInt16BE(2)], tag.word_order ?? defaultOrder);
}

/** ASCII, two characters per register (high byte first); trailing NULs and spaces trimmed. */
export function decodeString(words: readonly number[]): string {
  const buf = Buffer.alloc(words.length * 2);
  words.forEach((w, i) => {
    buf.writeUInt16BE(w & 0xffff, i * 2);
  });
  return buf.toString('latin1').replace(/[\0 ]+$/u, '');
}

export function encodeString(tag: TagDefinition, text: string): number[] {
  const buf = Buffer.alloc(registerCount(tag) * 2);
  buf.write(text.slice(0, buf.length), 'latin1');
  return Array.from({ length: registerCount(tag) }, (_, i) => buf.readUInt16BE(i * 2));
}

function decodeRaw(tag: TagDefinition, words: readonly number[], order: WordOrder): number {
  const w0 = words[0] ?? 0;
  switch (tag.type) {
    case 'u16':
      return w0 & 0xffff;
    case 'i16':
      return (w0 << 16) >> 16;
    case 'u32':
    case 'i32':
    case 'f32':
      return decode32(tag.type, orderWords([w0, words[1] ?? 0], order));
    case 'string':
      throw new TypeError('string tags are not numbers');
  }
}

function decode32(type: 'u32' | 'i32' | 'f32', bigEndianWords: readonly number[]): number {
  const buf = Buffer.alloc(4);
  buf.writeUInt16BE((bigEndianWords[0] ?? 0) & 0xffff, 0);
  buf.writeUInt16BE((bigEndianWords[1] ?? 0) & 0xffff, 2);
  if (type === 'u32') return buf.readUInt32BE(0);
  if (type === 'i32') return buf.readInt32BE(0);
  return buf.readFloatBE(0);
}

/** Swaps the two words for little word order (its own inverse). */
function orderWords(words: [number, number], order: WordOrder): number[] {
  return order === 'big' ? words : [words[1], words[0]];
}

function clampInt(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** Drops binary noise such as 0.30000000000000004 while keeping the register's resolution. */
function roundPhysical(value: number, scale: number | undefined): number {
  if (!Number.isFinite(value)) return value;
  const step = Math.abs(scale ?? 1);
  const decimals = step >= 1 ? 0 : Math.min(12, Math.ceil(-Math.log10(step)) + 1);
  return Number(value.toFixed(decimals));
}
