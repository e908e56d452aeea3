import {
  clearedEvent,
  clearLatch,
  evaluate,
  eventPayload,
  eventsBetween,
  type LatchState,
  type ModeCommand,
  type SafetyDecision,
  type SafetyEventPlan,
  type SlotObservation,
  type SlotSafetyProfile,
  type SlotSafetyState,
  UNLATCHED,
} from '../../safety/index.js';
import { SwapdError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Clock } from '../ports/clock.js';
import type { DataReader, DataWriter } from '../ports/data-provider.js';
import type { StoredLatch } from '../ports/safety-journal.js';
import type { SafetySnapshotSource, SlotSafetySnapshot } from '../ports/safety-snapshot.js';
import type { SafetyJournal } from './safety-journal.js';
import { readingOf, restoredLatch, snapshotOf } from './slot-view.js';

/** The two SPEC-001 control tags. This file is the only runtime code that names or writes them. */
const SETPOINT_TAG = 'P_setpoint_kW';
const MODE_TAG = 'mode_cmd';
/** Setpoints closer than this (kW) count as unchanged (register resolution is 0.01 kW). */
const SAME_KW = 0.005;

export interface GuardedSlot {
  readonly id: string;
  readonly reader: DataReader;
  readonly profile: SlotSafetyProfile;
}

/** What the guard's owner is told, for metrics. */
export interface SafetyObserver {
  blocked(reason: string): void;
  safeState(slotId: string, latched: boolean): void;
  written(slotId: string, setpointKw: number): void;
  chargingPower(kw: number): void;
}

export interface GuardedStationDeps {
  slots: readonly GuardedSlot[];
  /** The raw control side of the slots, handed over once by the station hardware: kept private here. */
  writers: ReadonlyMap<string, DataWriter>;
  journal: SafetyJournal;
  clock: Clock;
  log: Logger;
  observer?: SafetyObserver;
}

interface Command {
  setpoint: number;
  mode: ModeCommand;
}

interface SlotRuntime {
  readonly id: string;
  readonly reader: DataReader;
  readonly writer: DataWriter | null;
  readonly profile: SlotSafetyProfile;
  readonly pollTags: readonly string[];
  observation: SlotObservation;
  powerKw: number | null;
  latch: LatchState;
  last: SafetyDecision | null;
  /** What the device holds, as read back or as last written; null = unknown (write again). */
  held: Command | null;
  /** The last command known to be on the device, kept while it cannot be reached (for the grid limit). */
  onDevice: Command | null;
  /** The last poll or the last control write failed: the device may not follow this cycle's command. */
  unreliable: boolean;
}

export interface ClearReport {
  device_id: string;
  outcome: 'cleared' | 'not_latched' | 'refused';
  /** Refused: the causes still present. Cleared: the reasons that had latched the slot. */
  reasons: string[];
}

/**
 * The one path to the charging hardware: it holds the slots' writers and writes nothing the
 * SafetyGuard (safety/) has not allowed. It polls the slots itself, so the guard judges what the
 * devices said, not what a caller claims; on a block it writes only the safe command (0 kW, idle),
 * latches Safe State per slot, and journals every write, block and clear. (Longer than the house's
 * 400 lines on purpose: the write-path test keeps the writers and the control tag names in this file
 * alone; the pure helpers that name neither live in slot-view.ts.)
 */
export class GuardedStation implements SafetySnapshotSource {
  readonly #slots = new Map<string, SlotRuntime>();
  readonly #journal: SafetyJournal;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #observer: SafetyObserver | undefined;

  constructor(deps: GuardedStationDeps) {
    this.#journal = deps.journal;
    this.#clock = deps.clock;
    this.#log = deps.log.child({ component: 'safety' });
    this.#observer = deps.observer;
    for (const slot of deps.slots) {
      const controllable = slot.profile.unsupportedRequiredTags.length === 0;
      this.#slots.set(slot.id, {
        id: slot.id,
        reader: slot.reader,
        writer: controllable ? (deps.writers.get(slot.id) ?? null) : null,
        profile: slot.profile,
        pollTags: pollTagsOf(slot.reader, slot.profile),
        observation: { connected: false, lastGoodReadAt: null, reading: null },
        powerKw: null,
        latch: UNLATCHED,
        last: null,
        held: null,
        onDevice: null,
        unreliable: true,
      });
    }
  }

  get slotIds(): string[] {
    return [...this.#slots.keys()];
  }

  profile(slotId: string): SlotSafetyProfile {
    return this.#slot(slotId).profile;
  }

  /** The last observation of a slot (read-only copy). */
  observation(slotId: string): SlotObservation {
    return this.#slot(slotId).observation;
  }

  /** Reads every slot (one batch read each, side by side). A failed read keeps the last good reading. */
  async poll(): Promise<void> {
    await Promise.all([...this.#slots.values()].map((slot) => this.#pollSlot(slot)));
    const charging = [...this.#slots.values()].reduce((sum, s) => sum + Math.max(0, -(s.powerKw ?? 0)), 0);
    // Device readings have at most a few decimals; a float sum of them should not show 40.00000000000001.
    this.#observer?.chargingPower(Math.round(charging * 1000) / 1000);
  }

  /**
   * What the guard would let a full charge be right now (|kW|; 0 when a charge would be refused), and
   * whether it would be refused. Decides nothing and changes nothing.
   */
  chargeOutlook(slotId: string): { capKw: number; refused: boolean } {
    const slot = this.#slot(slotId);
    const probe = evaluate(this.#state(slot), { setpointKw: -slot.profile.pMaxKw }, this.#clock.now());
    return { capKw: Math.abs(probe.setpoint), refused: !probe.allowed };
  }

  /**
   * The charging power (kW, ≥ 0) a slot may go on drawing whatever this cycle commands: a slot that
   * cannot be relied on now (not connected, never controlled, its last read or write failed) keeps
   * what its device holds, the last command known to be there, or else its measured power. The
   * charging loop takes this off the station's limit before sharing the rest.
   */
  uncommandedDrawKw(slotId: string): number {
    const slot = this.#slot(slotId);
    if (slot.writer && slot.reader.isConnected && !slot.unreliable) return 0;
    const kw = slot.onDevice ? slot.onDevice.setpoint : (slot.powerKw ?? 0);
    return Math.max(0, -kw);
  }

  /** The setpoint the slot's device holds (read back or last written), or null when unknown. */
  heldSetpointKw(slotId: string): number | null {
    return this.#slot(slotId).held?.setpoint ?? null;
  }

  /**
   * Asks for a setpoint (SPEC-001 sign) on one slot. The guard decides; what it allows is written
   * (only the tags whose value changes); a refusal writes the safe command. Returns the decision.
   */
  async command(slotId: string, setpointKw: number): Promise<SafetyDecision> {
    const slot = this.#slot(slotId);
    const now = this.#clock.now();
    const previous = slot.last;
    const decision = evaluate(this.#state(slot), { setpointKw }, now);
    slot.latch = decision.latch;
    slot.last = decision;
    const action = await this.#apply(slot, decision, setpointKw, now);
    this.#report(slot, previous, decision, setpointKw, action, now);
    return decision;
  }

  /** An operator's clear of one slot (by device id) or of every latched slot (null). */
  async clear(deviceId: string | null, operator: string): Promise<ClearReport[]> {
    if (deviceId !== null && !this.#slots.has(deviceId)) {
      throw new SwapdError('NOT_FOUND', `no charging slot with device id ${deviceId}`, {
        details: [{ path: '/device', message: `valid: ${this.slotIds.join(', ')}` }],
      });
    }
    const targets =
      deviceId === null
        ? [...this.#slots.values()].filter((s) => s.latch.reasons.length > 0)
        : [this.#slot(deviceId)];
    const reports = targets.map((slot) => this.#clearSlot(slot, operator));
    await this.#journal.flush();
    return reports;
  }

  safetySnapshot(): SlotSafetySnapshot[] {
    return [...this.#slots.values()].map((slot) =>
      snapshotOf({
        id: slot.id,
        source: slot.reader.sourceDescription,
        controlled: slot.writer !== null,
        observation: slot.observation,
        latch: slot.latch,
        last: slot.last,
        held: slot.held,
        powerKw: slot.powerKw,
      }),
    );
  }

  /**
   * Takes back the latches an earlier run left open (a restart is not an operator's clear), before
   * anything is commanded; each is journaled. Returns the device ids latched again.
   */
  async restoreLatches(stored: readonly StoredLatch[]): Promise<string[]> {
    const restored: string[] = [];
    for (const entry of stored) {
      const slot = this.#slots.get(entry.deviceId);
      const latched = restoredLatch(entry.reasons, entry.since);
      if (!slot || !latched) {
        this.#log.warn({ device: entry.deviceId }, 'a latch left open is for no configured slot; ignored');
        continue;
      }
      slot.latch = latched.latch;
      slot.last = latched.decision;
      this.#observer?.safeState(slot.id, true);
      this.#blockAudit(
        slot,
        this.#clock.now(),
        'SAFE_STATE_RESTORED',
        latched.latch.reasons,
        0,
        'latched again at start-up',
      );
      this.#log.warn(
        { slot: slot.id, reasons: latched.latch.reasons },
        'Safe State still latched from before the restart',
      );
      restored.push(slot.id);
    }
    await this.#journal.flush();
    return restored;
  }

  /** Device ids latched in Safe State. */
  latchedSlots(): string[] {
    return [...this.#slots.values()].filter((s) => s.latch.reasons.length > 0).map((s) => s.id);
  }

  #clearSlot(slot: SlotRuntime, operator: string): ClearReport {
    const now = this.#clock.now();
    const result = clearLatch(this.#state(slot), now);
    const reasons =
      result.outcome === 'refused' ? result.reasons : result.outcome === 'cleared' ? result.cleared : [];
    this.#journal.audit({
      at: now,
      kind: 'safety_clear',
      requester: operator,
      subject: slot.id,
      tag: null,
      value: null,
      decision: result.outcome,
      details: { reasons },
    });
    if (result.outcome === 'cleared') {
      slot.latch = result.latch;
      this.#observer?.safeState(slot.id, false);
      const plan = clearedEvent(result.cleared);
      this.#journal.event(
        eventPayload(plan, slot.id, slot.observation.reading, `cleared by ${operator}`),
        now,
      );
      this.#log.info({ slot: slot.id, operator, reasons }, 'Safe State cleared by an operator');
    } else if (result.outcome === 'refused') {
      this.#log.warn(
        { slot: slot.id, operator, reasons },
        'Safe State clear refused: the cause is still present',
      );
    }
    return { device_id: slot.id, outcome: result.outcome, reasons: [...reasons] };
  }

  async #pollSlot(slot: SlotRuntime): Promise<void> {
    const values = await slot.reader.readTags(slot.pollTags).catch((err: unknown) => {
      this.#log.debug({ err, slot: slot.id }, 'slot read failed');
      return null;
    });
    // The age that counts is that of the reading the guard judges: another read of the device (its
    // identity for the station page or the scanner) succeeding says nothing of SOC or temperature.
    slot.observation = values
      ? {
          connected: slot.reader.isConnected,
          lastGoodReadAt: slot.reader.lastGoodReadAt ?? this.#clock.now(),
          reading: readingOf(values, slot.profile),
        }
      : { ...slot.observation, connected: slot.reader.isConnected };
    slot.unreliable = values === null;
    if (!values) return;
    slot.powerKw = values.P_kW ?? null;
    const setpoint = values[SETPOINT_TAG];
    const mode = values[MODE_TAG];
    if (setpoint !== undefined && mode !== undefined) {
      slot.held = { setpoint, mode: mode as ModeCommand };
      slot.onDevice = slot.held;
    }
  }

  #state(slot: SlotRuntime): SlotSafetyState {
    return { profile: slot.profile, observation: slot.observation, latch: slot.latch };
  }

  /** Writes what the decision allows, or the safe command; returns what was done, in words. */
  async #apply(slot: SlotRuntime, decision: SafetyDecision, requested: number, now: Date): Promise<string> {
    if (!slot.writer) return 'not controlled (the profile lacks a required tag): nothing written';
    if (!slot.reader.isConnected) {
      slot.held = null;
      return 'device not connected: nothing could be written';
    }
    const wanted: Command = { setpoint: decision.setpoint, mode: decision.mode };
    const writes = changedWrites(slot.held, wanted);
    const what = decision.allowed
      ? `setpoint ${wanted.setpoint} kW, mode ${wanted.mode}`
      : 'safe command (0 kW, idle)';
    if (writes.length === 0) return `${what} already in force`;
    for (const [tag, value] of writes) {
      try {
        await slot.writer.writeTag(tag, value);
      } catch (err) {
        slot.held = null;
        slot.unreliable = true;
        // The write may or may not have landed: count the harder charge of the two.
        slot.onDevice = harderCharge(slot.onDevice, wanted);
        this.#audit(slot, now, tag, value, 'write_failed', decision, requested, { error: String(err) });
        this.#log.warn({ err, slot: slot.id, tag, value }, 'control write failed');
        return `${what}: write of ${tag} failed`;
      }
      this.#audit(slot, now, tag, value, 'written', decision, requested);
    }
    slot.held = wanted;
    slot.onDevice = wanted;
    this.#observer?.written(slot.id, wanted.setpoint);
    return `${what} written`;
  }

  #audit(
    slot: SlotRuntime,
    at: Date,
    tag: string,
    value: number,
    outcome: string,
    decision: SafetyDecision,
    requested: number,
    extra: Record<string, unknown> = {},
  ): void {
    this.#journal.audit({
      at,
      kind: 'safety_write',
      requester: null,
      subject: slot.id,
      tag,
      value: String(value),
      decision: outcome,
      details: {
        requested_kw: requested,
        allowed: decision.allowed,
        derated: decision.derated,
        reasons: decision.reasons,
        ...extra,
      },
    });
  }

  #report(
    slot: SlotRuntime,
    previous: SafetyDecision | null,
    decision: SafetyDecision,
    requested: number,
    action: string,
    now: Date,
  ): void {
    for (const plan of eventsBetween(previous, decision)) this.#announce(slot, plan, requested, action, now);
    if (previous?.reasons.includes('SAFETY_STALE_DATA') && !decision.reasons.includes('SAFETY_STALE_DATA')) {
      this.#blockAudit(
        slot,
        now,
        'STALE_DATA_CLEARED',
        ['SAFETY_STALE_DATA'],
        requested,
        'reads are good again',
      );
      this.#log.info({ slot: slot.id }, 'stale-data block cleared: reads are good again');
    }
    this.#observer?.safeState(slot.id, decision.latch.reasons.length > 0);
  }

  #announce(slot: SlotRuntime, plan: SafetyEventPlan, requested: number, action: string, now: Date): void {
    for (const reason of plan.reasons) this.#observer?.blocked(reason);
    this.#blockAudit(slot, now, plan.event_type, plan.reasons, requested, action);
    this.#journal.event(eventPayload(plan, slot.id, slot.observation.reading, action), now);
    this.#log.warn({ slot: slot.id, event: plan.event_type, reasons: plan.reasons }, 'safety block');
  }

  #blockAudit(
    slot: SlotRuntime,
    at: Date,
    decision: string,
    reasons: readonly string[],
    requested: number,
    action: string,
  ): void {
    this.#journal.audit({
      at,
      kind: 'safety_block',
      requester: null,
      subject: slot.id,
      tag: null,
      value: null,
      decision,
      details: { reasons, requested_kw: requested, action },
    });
  }

  #slot(slotId: string): SlotRuntime {
    const slot = this.#slots.get(slotId);
    if (!slot) throw new SwapdError('NOT_FOUND', `no charging slot with device id ${slotId}`);
    return slot;
  }
}

/** Stopping: mode first, then the setpoint; starting or changing: setpoint first, then mode. */
function changedWrites(held: Command | null, wanted: Command): [string, number][] {
  const setpoint: [string, number] | null =
    held && Math.abs(held.setpoint - wanted.setpoint) < SAME_KW ? null : [SETPOINT_TAG, wanted.setpoint];
  const mode: [string, number] | null = held && held.mode === wanted.mode ? null : [MODE_TAG, wanted.mode];
  const ordered = wanted.mode === 0 ? [mode, setpoint] : [setpoint, mode];
  return ordered.filter((w): w is [string, number] => w !== null);
}

function harderCharge(a: Command | null, b: Command): Command {
  return a && a.setpoint < b.setpoint ? a : b;
}

function pollTagsOf(reader: DataReader, profile: SlotSafetyProfile): string[] {
  const wanted = [
    'SOC_%',
    'T_battery_C',
    'P_kW',
    'battery_present',
    SETPOINT_TAG,
    MODE_TAG,
    ...Object.keys(profile.criticalAlarmBits),
    'alarm_code',
  ];
  return [...new Set(wanted)].filter((t) => reader.tags.readable.includes(t));
}
