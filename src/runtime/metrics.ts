import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of one swapd process (GET /metrics). */
export class SwapdMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'swapd_requests_total',
    help: 'Requests answered, by action and outcome',
    labelNames: ['action', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly requestSeconds = new Histogram({
    name: 'swapd_request_duration_seconds',
    help: 'Time from request received to response ready',
    labelNames: ['action'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly outboxPublished = new Counter({
    name: 'swapd_outbox_published_total',
    help: 'Events published from the outbox',
    registers: [this.registry],
  });
  readonly outboxPending = new Gauge({
    name: 'swapd_outbox_pending',
    help: 'Events committed but not yet acknowledged by the broker',
    registers: [this.registry],
  });
  readonly brokerConnected = new Gauge({
    name: 'swapd_broker_connected',
    help: '1 while connected to the MQTT broker',
    registers: [this.registry],
  });

  readonly responseTopicsIgnored = new Counter({
    name: 'swapd_response_topics_ignored_total',
    help: 'MQTT 5 Response Topics not answered on (outside the configured prefix, malformed, or disabled)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly safetyBlocks = new Counter({
    name: 'swapd_safety_blocks_total',
    help: 'SafetyGuard blocks, by reason (counted when the reason starts to apply on a slot)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly safetySafeState = new Gauge({
    name: 'swapd_safety_safe_state',
    help: '1 while the slot is latched in Safe State',
    labelNames: ['slot'] as const,
    registers: [this.registry],
  });
  readonly safetySetpointKw = new Gauge({
    name: 'swapd_safety_setpoint_kw',
    help: 'The power setpoint last written to the slot (kW, negative = charge)',
    labelNames: ['slot'] as const,
    registers: [this.registry],
  });
  readonly safetyWrites = new Counter({
    name: 'swapd_safety_setpoint_writes_total',
    help: 'Control writes that passed the SafetyGuard, by slot',
    labelNames: ['slot'] as const,
    registers: [this.registry],
  });
  readonly stationChargingKw = new Gauge({
    name: 'swapd_station_charging_power_kw',
    help: 'Measured charging power of all slots together (kW)',
    registers: [this.registry],
  });

  constructor(withDefaults = true) {
    if (withDefaults) collectDefaultMetrics({ register: this.registry, prefix: 'swapd_' });
  }

  readonly requestGroups = new Counter({
    name: 'swapd_request_groups_total',
    help: 'Request groups of two or more writing requests, by outcome (committed, or one-by-one after a database error)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly requestGroupSize = new Histogram({
    name: 'swapd_request_group_size',
    help: 'Writing requests per request group (groups of two or more)',
    buckets: [2, 4, 8, 16, 32, 64, 128],
    registers: [this.registry],
  });

  observeGroup(size: number, outcome: string): void {
    this.requestGroups.inc({ outcome });
    this.requestGroupSize.observe(size);
  }

  observeRequest(action: string, outcome: string, seconds: number): void {
    this.requests.inc({ action, outcome });
    this.requestSeconds.observe({ action }, seconds);
  }
}
