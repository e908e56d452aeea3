import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Prometheus metrics of SPEC-003 telemetry, in and out, on the process's registry (GET /metrics). */
export class TelemetryMetrics {
  readonly received: Counter<'message_type'>;
  readonly rejected: Counter<'cause'>;
  readonly outOfOrder: Counter;
  readonly rowsWritten: Counter<'table'>;
  readonly writeFailures: Counter;
  readonly writeDropped: Counter;
  readonly writeSeconds: Histogram;
  readonly cachedAssets: Gauge;
  readonly pruned: Counter;
  readonly published: Counter<'message_type'>;
  readonly publishInvalid: Counter<'message_type' | 'cause'>;
  readonly publishDropped: Counter<'message_type'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.received = new Counter({
      name: 'swapd_telemetry_accepted_total',
      help: 'SPEC-003 messages ingested, by message type',
      labelNames: ['message_type'] as const,
      registers,
    });
    this.rejected = new Counter({
      name: 'swapd_telemetry_rejected_total',
      help: 'SPEC-003 messages refused by the ingest, by cause (TELEMETRY_* code)',
      labelNames: ['cause'] as const,
      registers,
    });
    this.outOfOrder = new Counter({
      name: 'swapd_telemetry_out_of_order_total',
      help: 'Valid readings older than the latest one kept for their battery (not stored)',
      registers,
    });
    this.rowsWritten = new Counter({
      name: 'swapd_telemetry_rows_written_total',
      help: 'Rows written by the batched telemetry writer, by table',
      labelNames: ['table'] as const,
      registers,
    });
    this.writeFailures = new Counter({
      name: 'swapd_telemetry_write_failures_total',
      help: 'Batched telemetry writes that failed (kept and retried)',
      registers,
    });
    this.writeDropped = new Counter({
      name: 'swapd_telemetry_write_dropped_total',
      help: 'Unwritten readings dropped because the pending set was full (database down)',
      registers,
    });
    this.writeSeconds = new Histogram({
      name: 'swapd_telemetry_write_duration_seconds',
      help: 'Duration of one batched telemetry write',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.cachedAssets = new Gauge({
      name: 'swapd_telemetry_cached_assets',
      help: 'Batteries whose latest telemetry is held in memory',
      registers,
    });
    this.pruned = new Counter({
      name: 'swapd_telemetry_history_pruned_total',
      help: 'History rows deleted by retention',
      registers,
    });
    this.published = new Counter({
      name: 'swapd_telemetry_published_total',
      help: 'SPEC-003 messages this station published, by message type',
      labelNames: ['message_type'] as const,
      registers,
    });
    this.publishInvalid = new Counter({
      name: 'swapd_telemetry_publish_invalid_total',
      help: 'SPEC-003 messages not sent because they failed the schema, by type and first failing path',
      labelNames: ['message_type', 'cause'] as const,
      registers,
    });
    this.publishDropped = new Counter({
      name: 'swapd_telemetry_publish_dropped_total',
      help: 'SPEC-003 messages dropped because the broker was not reachable (a stream: not retried)',
      labelNames: ['message_type'] as const,
      registers,
    });
  }
}
