/**
 * Hand-made mutants of the decimal arithmetic in agents/ — the Decimal method calls and rounding modes
 * that Stryker does not mutate. Each is applied to the source in turn, the agent unit tests are run,
 * and the file is restored; a mutant the tests do not kill is reported and the exit code is 1.
 * A mutant whose text is no longer found (the code moved) is reported as stale, also exit code 1.
 *
 *   npx tsx test/mutation/decimal-mutants.ts [file or description filter …]
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

interface HandMutant {
  file: string;
  from: string;
  to: string;
  why: string;
}

export const MUTANTS: readonly HandMutant[] = [
  {
    file: 'agents/shared/decimal.ts',
    from: 'toDecimalPlaces(places, Decimal.ROUND_HALF_UP)',
    to: 'toDecimalPlaces(places, Decimal.ROUND_HALF_EVEN)',
    why: 'service rounding half-even',
  },
  {
    file: 'agents/shared/decimal.ts',
    from: 'toDecimalPlaces(places, Decimal.ROUND_HALF_UP)',
    to: 'toDecimalPlaces(places, Decimal.ROUND_DOWN)',
    why: 'service rounding down',
  },
  {
    file: 'agents/shared/decimal.ts',
    from: 'toDecimalPlaces(places, Decimal.ROUND_HALF_UP)',
    to: 'toDecimalPlaces(40, Decimal.ROUND_HALF_UP)',
    why: 'service rounding removed',
  },
  {
    file: 'agents/shared/decimal.ts',
    from: 'toDecimalPlaces(places, Decimal.ROUND_DOWN)',
    to: 'toDecimalPlaces(places, Decimal.ROUND_UP)',
    why: 'top-up credit rounded up',
  },
  {
    file: 'agents/shared/decimal.ts',
    from: 'toDecimalPlaces(places, Decimal.ROUND_DOWN)',
    to: 'toDecimalPlaces(places, Decimal.ROUND_HALF_UP)',
    why: 'top-up credit rounded half up',
  },
  {
    file: 'agents/shared/decimal.ts',
    from: 'rounding: Decimal.ROUND_HALF_UP',
    to: 'rounding: Decimal.ROUND_HALF_EVEN',
    why: 'wire rounding (toFixed) half-even',
  },
  {
    file: 'agents/shared/decimal.ts',
    from: 'precision: 40',
    to: 'precision: 8',
    why: 'fewer significant digits',
  },
  {
    file: 'agents/shared/decimal.ts',
    from: '.gte(UNLIMITED_QUOTA)',
    to: '.gt(UNLIMITED_QUOTA)',
    why: 'unlimited at',
  },
  { file: 'agents/shared/decimal.ts', from: 'dec(10_000_000)', to: 'dec(1_000_000)', why: 'unlimited moved' },
  {
    file: 'agents/shared/quota.ts',
    from: 'u.used_after.gt(u.quota)',
    to: 'u.used_after.gte(u.quota)',
    why: 'quota >=',
  },
  {
    file: 'agents/shared/quota.ts',
    from: 'deficit: u.used_after.minus(u.quota)',
    to: 'deficit: u.increment',
    why: 'deficit = increment',
  },
  {
    file: 'agents/shared/quota.ts',
    from: 'remaining_before: u.quota.minus(u.used_before)',
    to: 'remaining_before: u.quota',
    why: 'remaining_before = quota',
  },
  {
    file: 'agents/shared/quota.ts',
    from: 'roundTo(netKwh, config.decimal_precision)',
    to: 'netKwh',
    why: 'energy increment not rounded',
  },
  {
    file: 'agents/shared/energy.ts',
    from: "capacity.mul('1.1')",
    to: "capacity.mul('1.11')",
    why: 'capacity + 11 %',
  },
  { file: 'agents/shared/energy.ts', from: "capacity.mul('1.1')", to: 'capacity', why: 'capacity + 0 %' },
  { file: 'agents/shared/energy.ts', from: 'kwh.gt(limit)', to: 'kwh.gte(limit)', why: 'capacity limit at' },
  {
    file: 'agents/shared/energy.ts',
    from: '.abs().gt(toleranceKwh)',
    to: '.abs().gte(toleranceKwh)',
    why: 'tolerance at',
  },
  {
    file: 'agents/shared/energy.ts',
    from: '.abs().gt(toleranceKwh)',
    to: '.gt(toleranceKwh)',
    why: 'tolerance one-sided',
  },
  {
    file: 'agents/shared/energy.ts',
    from: '<= timeoutSeconds * 1000',
    to: '< timeoutSeconds * 1000',
    why: 'freshness at',
  },
  {
    file: 'agents/shared/energy.ts',
    from: 'return dec(reading.soc_pct).div(100).mul(capacity)',
    to: 'return dec(reading.soc_pct).div(100).mul(32)',
    why: 'hardware SOC ignores capacity',
  },
  {
    file: 'agents/shared/energy.ts',
    from: 'kwh: roundTo(hardware, precision),\n      source',
    to: 'kwh: hardware,\n      source',
    why: 'hardware kWh not rounded',
  },
  {
    file: 'agents/shared/energy.ts',
    from: 'kwh.isNegative()',
    to: 'kwh.lt(-0.1)',
    why: 'negative kWh allowed',
  },
  { file: 'agents/shared/payments.ts', from: '.lte(0)', to: '.lt(0)', why: 'zero price allowed' },
  {
    file: 'agents/shared/payments.ts',
    from: 'dec(money).div(config.unit_price)',
    to: 'dec(money).mul(config.unit_price)',
    why: 'credit multiplied',
  },
  {
    file: 'agents/shared/payments.ts',
    from: 'serviceId && !credit.isZero()',
    to: 'serviceId',
    why: 'zero credit written',
  },
  {
    file: 'agents/shared/payments.ts',
    from: 'quota_after: toWire(t.quota_before.plus(t.credit), p)',
    to: 'quota_after: toWire(t.quota_before, p)',
    why: 'quota_after without the credit',
  },
  {
    file: 'agents/shared/settle.ts',
    from: 'if (amount.gt(0)) return',
    to: 'if (amount.gte(0)) return',
    why: 'an amount that rounds to nothing accepted',
  },
  {
    file: 'agents/shared/settle.ts',
    from: 'const amount = roundTo(p.amount, decimals);',
    to: 'const amount = dec(p.amount);',
    why: 'payment amount not rounded',
  },
  {
    file: 'agents/shared/settle.ts',
    from: 'room.isNegative() ? dec(0) : room',
    to: 'room',
    why: 'take-back with no room left',
  },
  {
    file: 'agents/shared/settle.ts',
    from: 'return a.lte(b) ? a : b;',
    to: 'return a;',
    why: 'take-back ignores what is used',
  },
  {
    file: 'agents/shared/settle.ts',
    from: 'unrecovered: units.minus(reversed)',
    to: 'unrecovered: units',
    why: 'unrecovered = all of the credit',
  },
  {
    file: 'agents/shared/settle.ts',
    from: 'full.credit.minus(already)',
    to: 'full.credit',
    why: 'provisional credit counted twice',
  },
  {
    file: 'agents/shared/settle.ts',
    from: 'if (full && delta.isNegative())',
    to: 'if (full && delta.lte(0))',
    why: 'confirmation of exactly the provisional credit takes back',
  },
  {
    file: 'agents/shared/settle.ts',
    from: "...(applied.gt(0) ? ['QUOTA_TOPPED_UP'] : [])",
    to: "...(applied.gte(0) ? ['QUOTA_TOPPED_UP'] : [])",
    why: 'QUOTA_TOPPED_UP for no credit',
  },
  {
    file: 'agents/shared/settle.ts',
    from: 'room.lte(0) ? dec(0) : minOf(dec(p.amount), room)',
    to: 'minOf(dec(p.amount), room)',
    why: 'provisional credit beyond the limit',
  },
  {
    file: 'agents/shared/settle.ts',
    from: 'serviceId && credited.gt(0)',
    to: 'serviceId && credited.gte(0)',
    why: 'reversal of no credit',
  },
  {
    file: 'agents/shared/settle.ts',
    from: 'back.reversed.gt(0)',
    to: 'back.reversed.gte(0)',
    why: 'zero take-back written',
  },
  {
    file: 'agents/shared/payments.ts',
    from: 'total.plus(view.ledger?.provisional_amount ?? 0)',
    to: 'total.plus(view.amount)',
    why: 'outstanding counts whole amounts, not the provisional part',
  },
  {
    file: 'agents/shared/swap.ts',
    from: 'if (raw.isNegative()) flags',
    to: 'if (raw.isZero()) flags',
    why: 'flag',
  },
  {
    file: 'agents/shared/swap.ts',
    from: 'raw.isNegative() ? dec(0) : raw',
    to: 'raw.isNegative() ? raw.abs() : raw',
    why: 'negative net counted as positive',
  },
  {
    file: 'agents/shared/swap.ts',
    from: 'roundTo(outgoing.kwh.minus(incoming?.kwh ?? 0), params.decimal_precision)',
    to: 'outgoing.kwh.minus(incoming?.kwh ?? 0)',
    why: 'net not rounded',
  },
  { file: 'agents/shared/swap.ts', from: '!u.increment.isZero()', to: 'true', why: 'zero usage written' },
  {
    file: 'agents/shared/swap.ts',
    from: 'if (after.isNegative())',
    to: 'if (after.lte(0))',
    why: 'check at',
  },
  {
    file: 'agents/shared/exhausted.ts',
    from: 'toDecimalPlaces(billing.currency_decimals, 0)',
    to: 'toDecimalPlaces(billing.currency_decimals, 4)',
    why: 'estimate half up',
  },
  {
    file: 'agents/shared/exhausted.ts',
    from: 'toDecimalPlaces(billing.currency_decimals, 0)',
    to: 'toDecimalPlaces(billing.currency_decimals, 1)',
    why: 'estimate rounded down',
  },
  {
    file: 'agents/shared/exhausted.ts',
    from: 's.deficit.mul(config?.unit_price ?? 0)',
    to: 's.required.mul(config?.unit_price ?? 0)',
    why: 'estimate of the whole swap',
  },
  {
    file: 'agents/identify-outgoing-equipment/identify-outgoing-equipment.handler.ts',
    from: 'socPct.lt(minSoc)',
    to: 'socPct.lte(minSoc)',
    why: 'minimum SOC at',
  },
  {
    file: 'agents/complete-service/complete-service.handler.ts',
    from: 'dec(s.quota).plus(topUp.credit)',
    to: 'dec(s.quota)',
    why: 'credit not counted for the swap',
  },
];

const TESTS = ['test/unit/agent-'];

function killed(): boolean {
  const run = spawnSync('npx', ['vitest', 'run', '--bail=1', '--reporter=dot', ...TESTS], {
    encoding: 'utf8',
  });
  return run.status !== 0;
}

/** Only the mutants whose file or description contains one of the arguments, if any are given. */
function selected(args: readonly string[]): readonly HandMutant[] {
  if (args.length === 0) return MUTANTS;
  return MUTANTS.filter((m) => args.some((a) => m.file.includes(a) || m.why.includes(a)));
}

function main(args: readonly string[]): number {
  let bad = 0;
  const mutants = selected(args);
  for (const m of mutants) {
    const original = readFileSync(m.file, 'utf8');
    const count = original.split(m.from).length - 1;
    if (count !== 1) {
      console.log(`STALE    ${m.file}: "${m.from}" found ${count} times (${m.why})`);
      bad++;
      continue;
    }
    try {
      writeFileSync(m.file, original.replace(m.from, m.to));
      const ok = killed();
      console.log(`${ok ? 'killed  ' : 'SURVIVED'} ${m.file}: ${m.why}`);
      if (!ok) bad++;
    } finally {
      writeFileSync(m.file, original);
    }
  }
  console.log(`${mutants.length - bad} of ${mutants.length} hand-made mutants killed`);
  return bad > 0 ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main(process.argv.slice(2));
