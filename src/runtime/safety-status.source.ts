import type { SafetySnapshotSource, SlotSafetySnapshot } from '../ports/safety-snapshot.js';
import type { SlotSafety, StationStatusSource, StatusFact } from '../ports/station-status.js';

function slotState(s: SlotSafetySnapshot): SlotSafety['state'] {
  if (s.latched) return 'safe_state';
  if (s.allowed === false || !s.controlled) return 'blocked';
  return s.derated ? 'derated' : 'ok';
}

/** The SafetyGuard's per-slot picture as a section of the station page (read-only). */
export function safetyStatusSource(guard: SafetySnapshotSource): StationStatusSource {
  return {
    name: 'safety',
    title: 'SafetyGuard',
    async slotSafety() {
      return new Map(
        guard
          .safetySnapshot()
          .map((s) => [
            s.device_id,
            { state: slotState(s), reasons: s.latched ? s.latch_reasons : s.reasons, latched: s.latched },
          ]),
      );
    },
    async facts() {
      const slots = guard.safetySnapshot();
      const facts: Record<string, StatusFact> = {
        slots_controlled: slots.filter((s) => s.controlled).length,
        slots_latched: slots.filter((s) => s.latched).length,
        slots_blocked: slots.filter((s) => s.allowed === false).length,
        slots_derated: slots.filter((s) => s.derated).length,
      };
      return facts;
    },
  };
}
