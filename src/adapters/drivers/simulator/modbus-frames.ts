/**
 * Modbus framing for the simulator's server side: MBAP (Modbus TCP) and RTU (address + PDU + CRC-16),
 * both read from a byte stream that may split or coalesce frames.
 */
export interface RequestFrame {
  unitId: number;
  pdu: Buffer;
  /** MBAP transaction id (TCP only). */
  transactionId: number;
}

export interface FrameCodec {
  /** Takes complete frames off the front of `buffer`; returns them and the unconsumed rest. */
  extract(buffer: Buffer): { frames: RequestFrame[]; rest: Buffer; corrupt: boolean };
  encode(request: RequestFrame, pdu: Buffer): Buffer;
}

export function crc16(buf: Buffer): number {
  let crc = 0xffff;
  for (const byte of buf) {
    crc ^= byte;
    for (let i = 0; i < 8; i += 1) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

export const mbapCodec: FrameCodec = {
  extract(buffer) {
    const frames: RequestFrame[] = [];
    let rest = buffer;
    while (rest.length >= 7) {
      const length = rest.readUInt16BE(4);
      if (length < 2 || length > 254 || rest.readUInt16BE(2) !== 0) return { frames, rest, corrupt: true };
      if (rest.length < 6 + length) break;
      frames.push({
        transactionId: rest.readUInt16BE(0),
        unitId: rest[6] ?? 0,
        pdu: rest.subarray(7, 6 + length),
      });
      rest = rest.subarray(6 + length);
    }
    return { frames, rest, corrupt: false };
  },
  encode(request, pdu) {
    const head = Buffer.alloc(7);
    head.writeUInt16BE(request.transactionId, 0);
    head.writeUInt16BE(0, 2);
    head.writeUInt16BE(pdu.length + 1, 4);
    head.writeUInt8(request.unitId, 6);
    return Buffer.concat([head, pdu]);
  },
};

/** Request length by function code (RTU frames carry no length). */
function rtuRequestLength(buf: Buffer): number | null {
  const fc = buf[1];
  if (fc === undefined) return null;
  if (fc === 3 || fc === 4 || fc === 6) return 8;
  if (fc === 16) return buf.length >= 7 ? 9 + (buf[6] ?? 0) : null;
  return -1;
}

export const rtuCodec: FrameCodec = {
  extract(buffer) {
    const frames: RequestFrame[] = [];
    let rest = buffer;
    while (rest.length >= 2) {
      const length = rtuRequestLength(rest);
      if (length === -1) return { frames, rest: Buffer.alloc(0), corrupt: true };
      if (length === null || rest.length < length) break;
      const frame = rest.subarray(0, length);
      rest = rest.subarray(length);
      if (crc16(frame.subarray(0, length - 2)) !== frame.readUInt16LE(length - 2)) {
        return { frames, rest: Buffer.alloc(0), corrupt: true };
      }
      frames.push({ transactionId: 0, unitId: frame[0] ?? 0, pdu: frame.subarray(1, length - 2) });
    }
    return { frames, rest, corrupt: false };
  },
  encode(request, pdu) {
    const body = Buffer.concat([Buffer.from([request.unitId]), pdu]);
    const crc = Buffer.alloc(2);
    crc.writeUInt16LE(crc16(body));
    return Buffer.concat([body, crc]);
  },
};
