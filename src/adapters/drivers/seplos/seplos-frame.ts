import { DriverError } from '../../../ports/data-provider.js';

/**
 * The Seplos V2 ASCII frame: `~`, then upper-case hex text — VER, ADR, CID1, CID2 (RTN in answers),
 * LENGTH (a 4-bit checksum of the length and the 12-bit count of INFO characters), INFO — then a
 * 16-bit checksum of that text and `\r`. Decoding is total: every malformed frame gives a DriverError
 * EXCEPTION whose details name the fault; nothing throws.
 */
export const SEPLOS_SOI = 0x7e;
export const SEPLOS_EOI = 0x0d;
export const SEPLOS_VERSION = 0x20;
export const SEPLOS_CID1 = 0x46;
export const CID2 = { TELEMETRY: 0x42, TELESIGNAL: 0x44, MANUFACTURER: 0x51 } as const;
/** INFO is at most 0xFFF characters; with the 17 framing bytes this bounds a frame. */
export const MAX_INFO_CHARS = 0xfff;
export const MIN_FRAME_BYTES = 18;
export const MAX_FRAME_BYTES = MAX_INFO_CHARS + MIN_FRAME_BYTES;

export const FRAME_FAULTS = [
  'truncated',
  'bad-start',
  'bad-end',
  'non-hex',
  'bad-checksum',
  'bad-length-checksum',
  'length-mismatch',
  'wrong-version',
  'wrong-address',
  'wrong-cid1',
  'device-error',
  'garbage',
  'bad-payload',
] as const;
export type FrameFault = (typeof FRAME_FAULTS)[number];

/** Return codes of an answer's RTN field (the Seplos V2 document's table). */
const RTN_MEANING: Record<number, string> = {
  1: 'protocol version error',
  2: 'checksum error',
  3: 'length checksum error',
  4: 'CID2 not supported',
  5: 'command format error',
  6: 'invalid data',
  144: 'address error',
  145: 'internal communication error',
};

export interface SeplosFrame {
  version: number;
  address: number;
  cid1: number;
  /** CID2 in a command, RTN (0 = success) in an answer. */
  cid2: number;
  /** INFO as hex text (upper case). */
  info: string;
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: DriverError };

export function frameError(fault: FrameFault, message: string, exceptionCode?: number): DriverError {
  return new DriverError('EXCEPTION', `Seplos frame ${fault}: ${message}`, { frame: fault, exceptionCode });
}

function fail<T>(fault: FrameFault, message: string, exceptionCode?: number): Decoded<T> {
  return { ok: false, error: frameError(fault, message, exceptionCode) };
}

/** Two's complement of the 16-bit sum of the ASCII codes of the text between `~` and the checksum. */
export function frameChecksum(text: string): number {
  let sum = 0;
  for (let i = 0; i < text.length; i += 1) sum = (sum + text.charCodeAt(i)) & 0xffff;
  return (~sum + 1) & 0xffff;
}

/** LENGTH: the complement of the sum of LENID's three nibbles (mod 16) in the top nibble, LENID below. */
export function lengthField(infoChars: number): number {
  const lenid = infoChars & 0xfff;
  const nibbles = (lenid & 0xf) + ((lenid >> 4) & 0xf) + ((lenid >> 8) & 0xf);
  const lchksum = (~nibbles + 1) & 0xf;
  return (lchksum << 12) | lenid;
}

const hex2 = (n: number) => (n & 0xff).toString(16).toUpperCase().padStart(2, '0');
const hex4 = (n: number) => (n & 0xffff).toString(16).toUpperCase().padStart(4, '0');

export function encodeFrame(frame: SeplosFrame): Buffer {
  if (frame.info.length > MAX_INFO_CHARS || !/^[0-9A-F]*$/.test(frame.info))
    throw new RangeError('INFO must be at most 4095 upper-case hex characters');
  const body = `${hex2(frame.version)}${hex2(frame.address)}${hex2(frame.cid1)}${hex2(frame.cid2)}${hex4(lengthField(frame.info.length))}${frame.info}`;
  return Buffer.from(`~${body}${hex4(frameChecksum(body))}\r`, 'ascii');
}

/** A command from the master: INFO is the pack address (as the Seplos tools send it). */
export function encodeCommand(address: number, cid2: number): Buffer {
  return encodeFrame({ version: SEPLOS_VERSION, address, cid1: SEPLOS_CID1, cid2, info: hex2(address) });
}

/** Decodes one frame (from `~` to `\r` inclusive) without judging who sent it. */
export function decodeFrame(bytes: Uint8Array): Decoded<SeplosFrame> {
  if (bytes.length < MIN_FRAME_BYTES)
    return fail('truncated', `${bytes.length} bytes, a frame has at least ${MIN_FRAME_BYTES}`);
  if (bytes.length > MAX_FRAME_BYTES)
    return fail('garbage', `${bytes.length} bytes is longer than any frame`);
  if (bytes[0] !== SEPLOS_SOI) return fail('bad-start', 'does not start with ~');
  if (bytes[bytes.length - 1] !== SEPLOS_EOI) return fail('bad-end', 'does not end with CR');
  const text = Buffer.from(bytes.subarray(1, bytes.length - 1)).toString('latin1');
  if (!/^[0-9A-Fa-f]+$/.test(text)) return fail('non-hex', 'contains characters other than hex digits');
  if (text.length % 2 !== 0) return fail('truncated', 'odd number of hex characters');
  const body = text.slice(0, -4);
  const sent = Number.parseInt(text.slice(-4), 16);
  const computed = frameChecksum(body);
  if (sent !== computed) return fail('bad-checksum', `checksum ${hex4(sent)}, computed ${hex4(computed)}`);
  const length = Number.parseInt(body.slice(8, 12), 16);
  const info = body.slice(12).toUpperCase();
  if (lengthField(length & 0xfff) !== length)
    return fail('bad-length-checksum', `LENGTH ${hex4(length)} has a wrong length checksum`);
  if ((length & 0xfff) !== info.length)
    return fail('length-mismatch', `LENGTH announces ${length & 0xfff} INFO characters, got ${info.length}`);
  const byte = (i: number) => Number.parseInt(body.slice(i, i + 2), 16);
  return { ok: true, value: { version: byte(0), address: byte(2), cid1: byte(4), cid2: byte(6), info } };
}

/** Decodes an answer and checks it is a success answer from the pack we asked. */
export function decodeAnswer(bytes: Uint8Array, address: number): Decoded<SeplosFrame> {
  const decoded = decodeFrame(bytes);
  if (!decoded.ok) return decoded;
  const f = decoded.value;
  if (f.version !== SEPLOS_VERSION) return fail('wrong-version', `version ${hex2(f.version)}, expected 20`);
  if (f.address !== address) return fail('wrong-address', `from pack ${f.address}, asked pack ${address}`);
  if (f.cid1 !== SEPLOS_CID1) return fail('wrong-cid1', `CID1 ${hex2(f.cid1)}, expected 46`);
  if (f.cid2 !== 0) {
    const meaning = RTN_MEANING[f.cid2] ?? 'unknown return code';
    return fail('device-error', `the pack answered RTN ${hex2(f.cid2)} (${meaning})`, f.cid2);
  }
  return decoded;
}

export type Extracted =
  | { kind: 'frame'; frame: Buffer; rest: Buffer }
  | { kind: 'incomplete'; rest: Buffer }
  | { kind: 'garbage'; error: DriverError; rest: Buffer };

/**
 * Finds the next frame in a receive buffer: noise before `~` is dropped; a CR without a `~` before it,
 * or a `~` followed by more than a frame's worth of bytes without CR, is garbage.
 */
export function extractFrame(buffer: Buffer): Extracted {
  const start = buffer.indexOf(SEPLOS_SOI);
  const cr = buffer.indexOf(SEPLOS_EOI);
  if (cr !== -1 && (start === -1 || cr < start)) {
    return {
      kind: 'garbage',
      error: frameError('garbage', 'bytes ending in CR without a frame start'),
      rest: buffer.subarray(cr + 1),
    };
  }
  if (start === -1) {
    if (buffer.length > MAX_FRAME_BYTES)
      return { kind: 'garbage', error: frameError('garbage', 'no frame start'), rest: Buffer.alloc(0) };
    return { kind: 'incomplete', rest: buffer };
  }
  const from = buffer.subarray(start);
  const end = from.indexOf(SEPLOS_EOI);
  if (end === -1) {
    if (from.length > MAX_FRAME_BYTES)
      return { kind: 'garbage', error: frameError('garbage', 'no CR after ~'), rest: Buffer.alloc(0) };
    return { kind: 'incomplete', rest: from };
  }
  return { kind: 'frame', frame: Buffer.from(from.subarray(0, end + 1)), rest: from.subarray(end + 1) };
}
