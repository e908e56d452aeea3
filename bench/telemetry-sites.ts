/** The sites the telemetry flood plays station controllers for: one station user and connection each. */
export const FLOOD_SITES = ['SITE-KE-001', 'SITE-KE-002', 'SITE-KE-003', 'SITE-KE-004'] as const;
