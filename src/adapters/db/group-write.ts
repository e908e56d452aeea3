import type { IdempotencyKey, RequestWrite } from '../../ports/store.js';
import {
  applyInOrder,
  assetRow,
  auditRow,
  effectSet,
  emptyWriteSet,
  eventRow,
  refusedAsInternal,
  type WriteSet,
} from './effects.repo.js';
import { GROUP_WRITE } from './request-sql.js';
import type { SqlClient } from './sql-client.js';

/** One member's rows: its effect set and the request they belong to. */
interface Member {
  set: WriteSet;
  write: RequestWrite;
}

/** Column-wise arrays of `rows` (one array per column, as unnest wants them). */
function columns<R>(rows: readonly R[], width: number, row: (r: R) => unknown[]): unknown[][] {
  const out = Array.from({ length: width }, (): unknown[] => []);
  for (const r of rows) {
    const values = row(r);
    for (let i = 0; i < width; i++) (out[i] as unknown[]).push(values[i]);
  }
  return out;
}

/** Texts that are JSON values already, as one JSON array (no escaping: they go in as they are). */
function jsonArray(texts: readonly string[]): string {
  return `[${texts.join(',')}]`;
}

/** The column `i` of `cols` as one JSON array parameter (its values are JSON texts). */
function asJson(cols: unknown[][], i: number): unknown[] {
  return cols.map((c, n) => (n === i ? jsonArray(c as string[]) : c));
}

function each<T>(members: readonly Member[], pick: (m: Member) => readonly T[]) {
  return members.flatMap((m) => pick(m).map((item) => ({ item, m })));
}

function cycleColumns(members: readonly Member[]) {
  const cols = columns(
    each(members, (m) => m.set.cycles),
    8,
    ({ item: r, m }) => [
      m.write.ctx.planId,
      r.cycle,
      r.machineVersion,
      r.state,
      JSON.stringify(r.snapshot),
      r.deadlineAt ? r.deadlineAt.toISOString() : null,
      r.deadlineInput,
      m.write.ctx.now.toISOString(),
    ],
  );
  return asJson(cols, 4);
}

function assetColumns(members: readonly Member[]) {
  return columns(
    each(members, (m) => m.set.assets),
    6,
    ({ item, m }) => {
      const r = assetRow(item);
      return [
        r.asset_id,
        r.status,
        r.holder_plan_id,
        r.set_station,
        r.station_id,
        m.write.ctx.now.toISOString(),
      ];
    },
  );
}

function stateColumns(members: readonly Member[]) {
  return columns(
    each(members, (m) => m.set.states),
    7,
    ({ item: r, m }) => [
      m.write.ctx.planId,
      r.service_id,
      r.increment,
      r.guarded,
      r.set_asset,
      r.asset_id,
      m.write.ctx.now.toISOString(),
    ],
  );
}

function eventColumns(members: readonly Member[]) {
  const cols = columns(
    each(members, (m) => m.set.events),
    6,
    ({ item, m }) => {
      const r = eventRow(item, m.write.ctx);
      return [r.event_id, r.event_type, m.write.ctx.planId, m.write.ctx.correlationId, r.topic, r.payload];
    },
  );
  return asJson(cols, 5);
}

function returnedColumns(members: readonly Member[]) {
  const rows = members.filter((m) => m.set.returned !== null);
  return columns(rows, 4, (m) => [
    m.write.ctx.planId,
    m.set.returned?.asset_id ?? null,
    m.set.returned?.kwh ?? null,
    m.write.ctx.now.toISOString(),
  ]);
}

function auditColumns(members: readonly Member[]) {
  const cols = columns(
    each(members, (m) => m.set.audits),
    6,
    ({ item, m }) => {
      const r = auditRow(item);
      const at = m.write.ctx.now.toISOString();
      return [r.kind, r.requester, m.write.ctx.planId, r.decision, JSON.stringify(r.details), at];
    },
  );
  return asJson(cols, 4);
}

function keyColumns(keys: readonly IdempotencyKey[], texts: readonly string[] | null) {
  return columns(
    keys.map((k, i) => ({ k, i })),
    texts ? 5 : 4,
    ({ k, i }) => [k.scope, k.key, k.planId, k.operation, ...(texts ? [texts[i]] : [])],
  );
}

function groupValues(members: readonly Member[], dropped: readonly IdempotencyKey[]): unknown[] {
  const assets = assetColumns(members);
  return [
    ...cycleColumns(members),
    ...assets,
    ...stateColumns(members),
    (assets[0] as unknown[]).length,
    ...eventColumns(members),
    ...returnedColumns(members),
    ...auditColumns(members),
    ...asJson(
      keyColumns(
        members.map((m) => m.write.key),
        members.map((m) => m.write.responseText),
      ),
      4,
    ),
    ...keyColumns(dropped, null),
  ];
}

/** The set of one member, or its effects one by one first when one statement could not keep their meaning. */
async function memberOf(client: SqlClient, write: RequestWrite): Promise<Member> {
  let set = effectSet(write.effects);
  if (set === null) {
    await applyInOrder(client, write.effects, write.ctx);
    set = emptyWriteSet();
  }
  return { set: { ...set, cycles: write.cycles }, write };
}

/**
 * A group's writes in one statement (GROUP_WRITE), the group's last (its transaction commits with it).
 * Every count must come out as expected — batteries moved, guarded usage rows, responses stored, keys
 * dropped — or the statement raises and the group's transaction is rolled back (its members are then
 * run one by one, where the one at fault is answered on its own).
 */
export async function writeGroup(
  client: SqlClient,
  writes: readonly RequestWrite[],
  dropped: readonly IdempotencyKey[],
): Promise<void> {
  const members: Member[] = [];
  for (const w of writes) members.push(await memberOf(client, w));
  if (members.length === 0 && dropped.length === 0) return;
  const expected = [
    members.reduce((n, m) => n + m.set.assets.length, 0),
    members.reduce((n, m) => n + m.set.states.filter((s) => s.guarded).length, 0),
    members.length,
    dropped.length,
  ];
  await refusedAsInternal(
    client.queryAndCommit(GROUP_WRITE, [...groupValues(members, dropped), ...expected]),
    () => `group write of ${members.length} request(s)`,
  );
}
