import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest } from '../../src/access/odoo-signature.js';
import { PROJECT_ROOT } from '../../src/main.js';
import { aKenyaPlan, ENERGY, seed } from '../builders/plans.js';
import { snapshot } from '../harness/db-snapshot.js';
import { Requester } from '../harness/requester.js';
import { startStation, TEST_ODOO_SECRET, type TestStation } from '../harness/station.js';

const PLAN = 'bss-plan-weekly-freedom-nairobi-v2-plan1';
const TOPIC = `call/odoo/billing/plan/${PLAN}/confirm_payment`;

function topUp(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    action: 'CONFIRM_PAYMENT',
    correlation_id: `odoo-${id}`,
    payment_receipt_id: `R-${id}`,
    amount: 8,
    currency: 'USD',
    payment_method: 'MPESA',
    payment_type: 'TOP_UP',
    ...extra,
  };
}

function signed(request: Record<string, unknown>, signedAt = new Date(), secret = TEST_ODOO_SECRET) {
  const body = { ...request, signed_at: signedAt.toISOString() };
  return { ...body, signature: signRequest(secret, body) };
}

/** The Python block of docs/odoo.md, run as Odoo would run it. */
function signWithPython(request: Record<string, unknown>): Record<string, unknown> {
  const doc = readFileSync(join(PROJECT_ROOT, 'docs/odoo.md'), 'utf8');
  const code = /```python\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
  const driver = `${code}\nimport os, sys\nprint(json.dumps(sign(json.load(sys.stdin), os.environ['SECRET'])))\n`;
  const out = execFileSync('python3', ['-c', driver], {
    input: JSON.stringify(request),
    env: { ...process.env, SECRET: TEST_ODOO_SECRET },
  });
  return JSON.parse(out.toString()) as Record<string, unknown>;
}

const hasPython = spawnSync('python3', ['--version']).status === 0;

/** SPEC §10 / issue 11: Odoo's confirm_payment is signed; the odoo role alone is not enough. */
describe('signed Odoo callbacks (mosquitto + postgres, odoo broker user)', () => {
  let station: TestStation;
  let odoo: Requester;
  const send = async (body: Record<string, unknown>) =>
    (await odoo.request(TOPIC, body, body.correlation_id as string)).body;
  const energyQuota = async () =>
    Number(
      (
        await station.db
          .selectFrom('service_states')
          .select('quota')
          .where('plan_id', '=', PLAN)
          .where('service_id', '=', ENERGY)
          .executeTakeFirstOrThrow()
      ).quota,
    );

  beforeAll(async () => {
    station = await startStation({ db: 'postgres', broker: 'mosquitto' });
    await seed(station.db, [aKenyaPlan()], []);
    odoo = await Requester.connect(station.mosquitto!.urlFor('odoo'), ['rtrn/abs/billing/#']);
  });
  afterAll(async () => {
    await odoo?.close();
    await station?.close();
  });

  it.each([
    ['unsigned', topUp('u1')],
    ['signed with another secret', signed(topUp('u2'), new Date(), 'another-secret-0123456789')],
    ['signed, then the amount changed', { ...signed(topUp('u3')), amount: 800 }],
    ['signed 6 minutes ago', signed(topUp('u4'), new Date(Date.now() - 6 * 60_000))],
    ['signed 6 minutes ahead', signed(topUp('u5'), new Date(Date.now() + 6 * 60_000))],
    [
      'with an upper-case signature',
      (() => {
        const s = signed(topUp('u6'));
        return { ...s, signature: String(s.signature).toUpperCase() };
      })(),
    ],
    [
      'with a signature but no signed_at',
      { ...topUp('u7'), signature: signRequest(TEST_ODOO_SECRET, topUp('u7')) },
    ],
  ])('refuses a confirm_payment %s with SIGNATURE_INVALID and changes nothing', async (_name, body) => {
    const before = await snapshot(station.db);
    const answer = await send(body);
    expect(answer).toMatchObject({
      success: false,
      signals: ['SIGNATURE_INVALID'],
      error: { code: 'SIGNATURE_INVALID' },
    });
    expect(await snapshot(station.db)).toEqual(before);
  });

  it.each([
    ['an unknown member', 'x'],
    ['its own payment_receipt_id', 'payment_receipt_id'],
  ])(
    'answers once a signature-shaped request nesting %s 30,000 levels deep, changing nothing',
    async (_name, member) => {
      const before = await snapshot(station.db);
      const id = `odoo-deep-${member}`;
      const shaped = signed(topUp(`deep-${member}`), new Date());
      const text = JSON.stringify({ ...shaped, correlation_id: id, [member]: '__DEEP__' }).replace(
        '"__DEEP__"',
        `${'['.repeat(30_000)}${']'.repeat(30_000)}`,
      );
      const answer = (await odoo.request(TOPIC, text, id)).body;
      // Signed before the deep member was put in: the signature no longer matches.
      expect(answer).toMatchObject({ success: false, signals: ['SIGNATURE_INVALID'] });
      expect(await snapshot(station.db)).toEqual(before);
    },
  );

  it('credits a correctly signed one once, and a re-signed retry credits nothing more', async () => {
    const quota = await energyQuota();
    const first = await send(signed(topUp('ok1')));
    expect(first).toMatchObject({ success: true, signals: ['PAYMENT_CONFIRMED', 'QUOTA_TOPPED_UP'] });
    expect(await energyQuota()).toBe(quota + 10);
    const retry = await send(signed(topUp('ok1'), new Date(Date.now() + 1000)));
    expect(retry.success).toBe(true);
    expect(retry.signals).toContain('IDEMPOTENT_OPERATION_DETECTED');
    expect(await energyQuota()).toBe(quota + 10);
  });

  it.runIf(hasPython)('accepts what the Python example in docs/odoo.md signs', async () => {
    const quota = await energyQuota();
    const request = signWithPython(
      topUp('py1', { amount: 4.0, service_description: 'Top-up – Nairobi "Freedom"' }),
    );
    expect(request.signature).toMatch(/^[0-9a-f]{64}$/);
    const answer = await send(request);
    expect(answer).toMatchObject({ success: true, signals: ['PAYMENT_CONFIRMED', 'QUOTA_TOPPED_UP'] });
    expect(await energyQuota()).toBe(quota + 5);
  });
});
