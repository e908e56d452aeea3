import type { SimCounters } from './sim-counters.js';
import type { StationCabinet } from './station-cabinet.js';
import { EXCEPTION } from './station-cabinet.js';

/** Answers one request PDU from the cabinet: FC 3/4 reads, FC 6/16 writes, an exception otherwise. */
export function handlePdu(
  cabinet: StationCabinet,
  counters: SimCounters,
  unitId: number,
  pdu: Buffer,
): Buffer {
  const fc = pdu[0] ?? 0;
  switch (fc) {
    case 3:
    case 4:
      return readResponse(cabinet, unitId, pdu);
    case 6:
      return writeResponse(cabinet, counters, unitId, pdu, [pdu.readUInt16BE(3)]);
    case 16:
      return writeResponse(cabinet, counters, unitId, pdu, wordsOf(pdu.subarray(6, 6 + (pdu[5] ?? 0))));
    default:
      return exceptionPdu(fc, EXCEPTION.ILLEGAL_FUNCTION);
  }
}

export function exceptionPdu(fc: number, code: number): Buffer {
  return Buffer.from([(fc | 0x80) & 0xff, code]);
}

function readResponse(cabinet: StationCabinet, unitId: number, pdu: Buffer): Buffer {
  if (pdu.length < 5) return exceptionPdu(pdu[0] ?? 0, EXCEPTION.ILLEGAL_VALUE);
  const table = pdu[0] === 3 ? 'holding' : 'input';
  const words = cabinet.readRegisters(unitId, table, pdu.readUInt16BE(1), pdu.readUInt16BE(3));
  if (typeof words === 'number') return exceptionPdu(pdu[0] ?? 0, words);
  const out = Buffer.alloc(2 + words.length * 2);
  out[0] = pdu[0] ?? 0;
  out[1] = words.length * 2;
  words.forEach((w, i) => {
    out.writeUInt16BE(w & 0xffff, 2 + i * 2);
  });
  return out;
}

function writeResponse(
  cabinet: StationCabinet,
  counters: SimCounters,
  unitId: number,
  pdu: Buffer,
  words: number[],
): Buffer {
  const fc = pdu[0] ?? 0;
  if (pdu.length < 5 || words.length === 0) return exceptionPdu(fc, EXCEPTION.ILLEGAL_VALUE);
  const address = pdu.readUInt16BE(1);
  counters.recordWrite({ unitId, address, words });
  const error = cabinet.writeRegisters(unitId, address, words);
  if (error !== null) return exceptionPdu(fc, error);
  return Buffer.from(pdu.subarray(0, 5));
}

function wordsOf(bytes: Buffer): number[] {
  return Array.from({ length: Math.floor(bytes.length / 2) }, (_, i) => bytes.readUInt16BE(i * 2));
}
