import { describe, expect, it } from 'vitest';
import type { FrameFault } from '../../src/adapters/drivers/seplos/seplos-frame.js';
import {
  decodeAnswer,
  decodeFrame,
  encodeCommand,
  extractFrame,
} from '../../src/adapters/drivers/seplos/seplos-frame.js';
import {
  decodeManufacturer,
  decodeTelemetry,
  decodeTelesignal,
} from '../../src/adapters/drivers/seplos/seplos-payload.js';
import { alarmBitmap, modeOf, packValues } from '../../src/adapters/drivers/seplos/seplos-values.js';
import { isDriverError } from '../../src/ports/data-provider.js';

/*
 * Frames built by hand from the documented Seplos V2 layout. The checksums below are computed here,
 * independently of the codec: the frame checksum is 0x10000 minus the byte sum of the text between `~`
 * and the checksum (mod 0x10000); the length checksum is 16 minus the sum of LENID's nibbles (mod 16).
 */
function checksum(text: string): string {
  let sum = 0;
  for (const ch of text) sum += ch.charCodeAt(0);
  return ((0x10000 - (sum % 0x10000)) % 0x10000).toString(16).toUpperCase().padStart(4, '0');
}

function length(infoChars: number, lchk?: number): string {
  const nibbleSum = (infoChars & 0xf) + ((infoChars >> 4) & 0xf) + ((infoChars >> 8) & 0xf);
  const l = lchk ?? (16 - (nibbleSum % 16)) % 16;
  return `${l.toString(16).toUpperCase()}${infoChars.toString(16).toUpperCase().padStart(3, '0')}`;
}

/** `~` + VER ADR CID1 RTN LENGTH INFO + checksum + CR, from hex text pieces. */
function frame(head: string, info: string, opts: { lengthField?: string; sum?: string } = {}): Buffer {
  const body = `${head}${opts.lengthField ?? length(info.length)}${info}`;
  return Buffer.from(`~${body}${opts.sum ?? checksum(body)}\r`, 'latin1');
}

// Telemetry of a 16-cell pack, address 0: 16 cells, 6 sensors, -6.76 A, 52.80 V, 133.90 Ah left of
// 170.00 Ah, SOC 78.7 %, rated 180.00 Ah, 70 cycles, SOH 100.0 %, port 52.79 V.
const TELEMETRY_INFO =
  '0001' +
  '10' +
  '0CD70CE90CF40CD60CEF0CE50CE10CDC0CE90CF00CE80CEF0CEA0CDA0CDE0CD8' +
  '06' +
  '0BA60BA00B970BA60BA50BA2' +
  'FD5C' +
  '14A0' +
  '344E' +
  '0A' +
  '4268' +
  '0313' +
  '4650' +
  '0046' +
  '03E8' +
  '149F' +
  '0000000000000000';

/** Telesignalization: no cell or sensor alarms; event bytes as given; FETs on; system state. */
function telesignalInfo(events = '000000000000', system = '01', balancing = '0000'): string {
  return `0010${'00'.repeat(16)}06${'00'.repeat(6)}00000014${events}03${balancing}${system}0000000000${'00'.repeat(6)}`;
}

const OK_HEAD = '20004600';

describe('Seplos V2 frame codec on recorded frames', () => {
  it('encodes the telemetry request exactly as the Seplos tools send it', () => {
    expect(encodeCommand(0, 0x42).toString('latin1')).toBe('~20004642E00200FD37\r');
    expect(encodeCommand(1, 0x44).toString('latin1')).toBe(`~20014644E00201${checksum('20014644E00201')}\r`);
  });

  it('decodes a telemetry answer (150 INFO characters) to the hand-checked values', () => {
    expect(TELEMETRY_INFO).toHaveLength(150);
    const answer = decodeAnswer(frame(OK_HEAD, TELEMETRY_INFO), 0);
    expect(answer.ok).toBe(true);
    if (!answer.ok) return;
    const tel = decodeTelemetry(answer.value.info);
    expect(tel.ok).toBe(true);
    if (!tel.ok) return;
    expect(tel.value.cellMv).toHaveLength(16);
    expect(tel.value.cellMv[0]).toBe(3287);
    expect(tel.value.currentCentiA).toBe(-676);
    expect(tel.value).toMatchObject({
      packCentiV: 5280,
      remainingCentiAh: 13390,
      fullCentiAh: 17000,
      socDeci: 787,
      ratedCentiAh: 18000,
      cycles: 70,
      sohDeci: 1000,
      portCentiV: 5279,
    });
  });

  it('maps telemetry + telesignalization to SPEC-001 tags, exactly (E = Ah × V)', () => {
    const tel = decodeTelemetry(TELEMETRY_INFO);
    const sig = decodeTelesignal(telesignalInfo());
    expect(tel.ok && sig.ok).toBe(true);
    if (!tel.ok || !sig.ok) return;
    const v = packValues(tel.value, sig.value);
    const text = (t: string) => v.get(t)?.toFixed();
    expect(text('E_kwh_remaining')).toBe('7.06992'); // 133.90 Ah × 52.80 V
    expect(text('V_dc_V')).toBe('52.8');
    expect(text('V_port_V')).toBe('52.79');
    expect(text('I_dc_A')).toBe('6.76'); // discharging flag: positive
    expect(text('P_kW')).toBe('0.356928');
    expect(text('SOC_%')).toBe('78.7');
    expect(text('SOH_%')).toBe('100');
    expect(text('T_battery_C')).toBe('25.1');
    expect(text('T_cell_min_C')).toBe('23.6');
    expect(text('T_ambient_C')).toBe('25');
    expect(text('T_mosfet_C')).toBe('24.7');
    expect(text('V_cell_min_V')).toBe('3.286');
    expect(text('V_cell_max_V')).toBe('3.316');
    expect(text('V_cell_delta_V')).toBe('0.03');
    expect(text('V_cell_avg_V')).toBe('3.3003'); // 52805 mV / 16 = 3300.3125 mV, to 0.1 mV
    expect(text('cycles_total')).toBe('70');
    expect(text('mode')).toBe('2');
    expect(text('alarm_code')).toBe('0');
    expect(text('fet_charge_on')).toBe('1');
    expect(text('fet_discharge_on')).toBe('1');
    expect(text('capacity_remaining_Ah')).toBe('133.9');
  });

  it('takes the current direction from the system flags, else negates the pack sign', () => {
    const tel = decodeTelemetry(TELEMETRY_INFO);
    const charging = decodeTelesignal(telesignalInfo(undefined, '02'));
    const none = decodeTelesignal(telesignalInfo(undefined, '10'));
    if (!tel.ok || !charging.ok || !none.ok) throw new Error('fixture');
    expect(packValues(tel.value, charging.value).get('I_dc_A')?.toFixed()).toBe('-6.76');
    expect(modeOf(charging.value)).toBe(1);
    expect(packValues(tel.value, none.value).get('I_dc_A')?.toFixed()).toBe('6.76'); // -(-6.76)
    expect(modeOf(none.value)).toBe(0);
  });

  it('builds alarm_code from the protection flags; a protection makes mode Fault', () => {
    // event 2 = 0x02 (cell overvoltage protection), event 5 = 0x20 (output short-circuit protection),
    // event 1 = 0x20 (charging switch failure), event 2 bit 0 (a warning) does not count.
    const sig = decodeTelesignal(telesignalInfo('200300002000'));
    if (!sig.ok) throw sig.error;
    expect(alarmBitmap(sig.value)).toBe((1 << 0) | (1 << 14) | (1 << 27));
    expect(modeOf(sig.value)).toBe(3);
    const warningOnly = decodeTelesignal(telesignalInfo('000100000000'));
    if (!warningOnly.ok) throw warningOnly.error;
    expect(alarmBitmap(warningOnly.value)).toBe(0);
  });

  it.each([
    // Equalization byte 1 (byte 36) holds cells 1-8 in bits 0-7, byte 2 (byte 37) cells 9-16.
    ['0100', 0b1, 'cell 1'],
    ['0001', 1 << 8, 'cell 9'],
    ['8001', (1 << 7) | (1 << 8), 'cells 8 and 9'],
    ['0580', 0b101 | (1 << 15), 'cells 1, 3 and 16'],
  ])('reads balancing cells from the equalization bytes: %s is %s (%s)', (bytes, bitmap) => {
    const tel = decodeTelemetry(TELEMETRY_INFO);
    const sig = decodeTelesignal(telesignalInfo(undefined, '02', bytes));
    if (!tel.ok || !sig.ok) throw new Error('fixture');
    expect(packValues(tel.value, sig.value).get('balancing_cells')?.toNumber()).toBe(bitmap);
  });

  it('decodes the manufacturer information (0x51)', () => {
    const ascii = (s: string, n: number) =>
      Array.from({ length: n }, (_, i) => (i < s.length ? s.charCodeAt(i) : 0x20))
        .map((b) => b.toString(16).toUpperCase().padStart(2, '0'))
        .join('');
    const info = `${ascii('1101-SP15', 20)}1006${ascii('BAT-00042', 20)}`;
    const decoded = decodeManufacturer(info);
    expect(decoded).toEqual({
      ok: true,
      value: { hardware: '1101-SP15', firmware: '16.6', identity: 'BAT-00042' },
    });
  });
});

describe('malformed frames give coded errors, never a throw', () => {
  const good = frame(OK_HEAD, TELEMETRY_INFO);
  const body = `${OK_HEAD}${length(150)}${TELEMETRY_INFO}`;
  const cases: [string, Buffer, FrameFault][] = [
    ['bad checksum', frame(OK_HEAD, TELEMETRY_INFO, { sum: '0000' }), 'bad-checksum'],
    [
      'wrong length checksum (frame checksum right)',
      frame(OK_HEAD, TELEMETRY_INFO, { lengthField: length(150, 3) }),
      'bad-length-checksum',
    ],
    [
      'length that does not match INFO',
      frame(OK_HEAD, TELEMETRY_INFO, { lengthField: length(148) }),
      'length-mismatch',
    ],
    ['truncated (cut short, no CR)', good.subarray(0, 40), 'bad-end'],
    ['truncated (shorter than any frame)', Buffer.from('~2000\r'), 'truncated'],
    ['wrong address', frame('20054600', TELEMETRY_INFO), 'wrong-address'],
    [
      'garbage',
      Buffer.from([0x13, 0x5a, 0xa5, 0xff, 0, 0x41, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0d]),
      'bad-start',
    ],
    ['non-hex', Buffer.from(`~${body.slice(0, 20)}ZZ${body.slice(22)}${checksum(body)}\r`), 'non-hex'],
    ['wrong version', frame('21004600', TELEMETRY_INFO), 'wrong-version'],
    ['wrong CID1', frame('20004700', TELEMETRY_INFO), 'wrong-cid1'],
    ['device error (RTN 02)', frame('20004602', ''), 'device-error'],
  ];
  for (const [name, bytes, fault] of cases) {
    it(`${name} → EXCEPTION ${fault}`, () => {
      const result = decodeAnswer(bytes, 0);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(isDriverError(result.error, 'EXCEPTION')).toBe(true);
      expect(result.error.details.frame).toBe(fault);
    });
  }

  it('the RTN of a device error is kept', () => {
    const result = decodeAnswer(frame('20004690', ''), 0);
    expect(!result.ok && result.error.details.exceptionCode).toBe(0x90);
  });

  it('payloads that run short or announce impossible counts are bad-payload', () => {
    for (const info of [TELEMETRY_INFO.slice(0, 100), `0001${'00'}`, `000111${TELEMETRY_INFO.slice(6)}`]) {
      const r = decodeTelemetry(info);
      expect(!r.ok && r.error.details.frame).toBe('bad-payload');
    }
    const sig = decodeTelesignal(telesignalInfo().slice(0, 60));
    expect(!sig.ok && sig.error.details.frame).toBe('bad-payload');
    expect(decodeManufacturer('4142').ok).toBe(false);
  });

  it('a receive buffer: noise before ~ is dropped, CR without ~ is garbage, a partial frame waits', () => {
    const noisy = extractFrame(Buffer.concat([Buffer.from([0x00, 0xff]), good]));
    expect(noisy.kind === 'frame' && noisy.frame.equals(good)).toBe(true);
    expect(extractFrame(Buffer.from('xx\r')).kind).toBe('garbage');
    expect(extractFrame(good.subarray(0, 50)).kind).toBe('incomplete');
    expect(extractFrame(Buffer.alloc(5000, 0x41)).kind).toBe('garbage');
  });

  it('thousands of mutated and random frames never throw', () => {
    let seed = 42;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let i = 0; i < 3000; i += 1) {
      const bytes = Buffer.from(good);
      const flips = 1 + (rand() % 4);
      for (let f = 0; f < flips; f += 1) bytes[rand() % bytes.length] = rand() % 256;
      const cut = i % 3 === 0 ? bytes.subarray(0, rand() % bytes.length) : bytes;
      expect(() => {
        const a = decodeAnswer(cut, 0);
        if (a.ok) {
          decodeTelemetry(a.value.info);
          decodeTelesignal(a.value.info);
          decodeManufacturer(a.value.info);
        }
        decodeFrame(Buffer.from(Array.from({ length: rand() % 64 }, () => rand() % 256)));
        extractFrame(cut);
      }).not.toThrow();
    }
  });
});
