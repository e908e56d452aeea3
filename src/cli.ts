import { writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { openDatabase } from './adapters/db/connect.js';
import { migrateToLatest } from './adapters/db/migrate.js';
import { getProfile, loadRegistry } from './adapters/drivers/registry/load-registry.js';
import { runSeplosSimCommand } from './adapters/drivers/simulator/seplos-sim-command.js';
import { runSimCommand } from './adapters/drivers/simulator/sim-command.js';
import { loadTemplates } from './adapters/templates/template-loader.js';
import { openAdminClient, readAssetsCsv, readJsonFile, reconcileDatabase } from './admin/admin-client.js';
import { addBrokerUser, removeBrokerUser } from './admin/broker-users.js';
import { lifecycleCommand } from './admin/lifecycle-command.js';
import { formatReconcileReport } from './admin/reconcile.js';
import { type ClearResult, SafetyClient } from './admin/safety-client.js';
import { loadConfig, type SwapdConfig } from './config/config.js';
import { redactUrl } from './config/redact-url.js';
import { ASYNCAPI_FILE, renderAsyncApi } from './contract/asyncapi-yaml.js';
import { isSwapdError } from './errors.js';
import { PROJECT_ROOT, startSwapd } from './main.js';
import type { SlotSafetySnapshot } from './ports/safety-snapshot.js';

interface GlobalOptions {
  config?: string;
  json?: boolean;
}

function configFrom(opts: GlobalOptions, startRules = true): SwapdConfig {
  // Readable logs on a terminal, JSON lines otherwise, unless the operator chose.
  const pretty =
    process.env.SWAPD_LOG_PRETTY === undefined && process.stderr.isTTY ? { log_pretty: true } : {};
  return loadConfig({ file: opts.config ?? null, overrides: pretty, startRules });
}

function templatesDir(config: SwapdConfig): string {
  return config.templates_dir ?? resolve(PROJECT_ROOT, 'templates');
}

function print(opts: GlobalOptions, value: Record<string, unknown>, text: string): void {
  process.stdout.write(opts.json ? `${JSON.stringify(value)}\n` : `${text}\n`);
}

async function withAdmin<T>(
  opts: GlobalOptions,
  work: (admin: Awaited<ReturnType<typeof openAdminClient>>) => Promise<T>,
) {
  const config = configFrom(opts);
  const admin = await openAdminClient(config, templatesDir(config));
  try {
    return await work(admin);
  } finally {
    await admin.close();
  }
}

async function start(opts: GlobalOptions): Promise<void> {
  const config = configFrom(opts);
  const running = await startSwapd(config);
  const also = [running.brokerWsUrl, running.brokerTlsUrl, running.brokerWssUrl].filter((u) => u !== null);
  const ready = {
    status: 'ready',
    startup_ms: running.startupMs,
    mqtt: redactUrl(running.brokerUrl),
    ...(running.brokerWsUrl ? { mqtt_ws: running.brokerWsUrl } : {}),
    ...(running.brokerTlsUrl ? { mqtt_tls: running.brokerTlsUrl } : {}),
    ...(running.brokerWssUrl ? { mqtt_wss: running.brokerWssUrl } : {}),
    http: `http://${config.http_host}:${running.httpPort}`,
    database: running.database.description,
    roles: config.roles,
    site_id: config.site_id,
  };
  print(
    opts,
    ready,
    `swapd ready in ${ready.startup_ms} ms: mqtt ${ready.mqtt}${also.length ? ` (and ${also.join(', ')})` : ''}, http ${ready.http}, database ${ready.database}, roles ${config.roles.join('+')}`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`swapd: ${signal}, stopping\n`);
    running.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

async function migrate(opts: GlobalOptions): Promise<void> {
  const config = configFrom(opts);
  const handle = await openDatabase({ url: config.database_url, dataDir: config.data_dir, poolSize: 1 });
  try {
    const { applied } = await migrateToLatest(handle.db);
    print(
      opts,
      { applied, database: handle.description },
      `migrated ${handle.description}: ${applied.length} applied`,
    );
  } finally {
    await handle.close();
  }
}

async function reconcileCommand(opts: GlobalOptions, lagSeconds: number): Promise<void> {
  if (!Number.isFinite(lagSeconds) || lagSeconds < 0)
    throw new Error('--lag-seconds takes a number of seconds');
  const report = await reconcileDatabase(configFrom(opts), lagSeconds * 1000);
  print(opts, report as unknown as Record<string, unknown>, formatReconcileReport(report));
  if (!report.ok) process.exitCode = 2;
}

/** The first line of standard input, without its line ending. */
async function readStdinLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

function buildProgram(): Command {
  const program = new Command('swapd')
    .description('MQTT-first agent runtime for battery swap stations')
    .option('--config <file>', 'JSON configuration file (also SWAPD_CONFIG)')
    .option('--json', 'print machine-readable JSON');
  const globals = () => program.opts<GlobalOptions>();

  program
    .command('start')
    .description('run swapd')
    .action(() => start(globals()));
  program
    .command('migrate')
    .description('apply database migrations')
    .action(() => migrate(globals()));

  const plans = program.command('plans').description('service plans');
  plans
    .command('create')
    .requiredOption('--plan-id <id>', "the customer's subscription code")
    .requiredOption('--customer <id>', 'customer id')
    .requiredOption('--template <id>', 'plan template id')
    .action((o: { planId: string; customer: string; template: string }) =>
      withAdmin(globals(), async (admin) => {
        const created = await admin.importPlans([
          { plan_id: o.planId, customer_id: o.customer, template_id: o.template },
        ]);
        print(globals(), { created }, `created plan ${created.join(', ')}`);
      }),
    );
  plans
    .command('import <file>')
    .description('import plans with their serviceStates[] (JSON array)')
    .action((file: string) =>
      withAdmin(globals(), async (admin) => {
        const created = await admin.importPlans(readJsonFile(file) as never);
        print(globals(), { created }, `imported ${created.length} plan(s): ${created.join(', ')}`);
      }),
    );

  for (const [name, operation, what] of [
    [
      'suspend',
      'suspend_plan',
      'suspend a plan: checkouts are refused (PLAN_NOT_ACTIVE) until it is resumed',
    ],
    ['resume', 'resume_plan', 'resume a suspended plan'],
    ['close', 'close_plan', 'close a plan (refused while it holds a battery or a payment awaits Odoo)'],
  ] as const) {
    lifecycleCommand(plans.command(`${name} <plan_id>`).description(what), operation, globals, withAdmin);
  }

  const assets = program.command('assets').description('batteries');
  for (const [name, operation, what] of [
    ['lost', 'report_battery_lost', 'report a battery lost or stolen: flagged, never issued'],
    ['recovered', 'recover_battery', 'a battery reported lost is back in stock'],
  ] as const) {
    lifecycleCommand(assets.command(`${name} <asset_id>`).description(what), operation, globals, withAdmin);
  }
  assets
    .command('add')
    .requiredOption('--asset-id <id>', 'battery serial number')
    .requiredOption('--capacity-kwh <kwh>', 'usable capacity in kWh', Number)
    .option('--station <id>', 'home station')
    .action((o: { assetId: string; capacityKwh: number; station?: string }) =>
      withAdmin(globals(), async (admin) => {
        const registered = await admin.addAssets([
          {
            asset_id: o.assetId,
            capacity_kwh: o.capacityKwh,
            ...(o.station ? { station_id: o.station } : {}),
          },
        ]);
        print(globals(), { registered }, `registered ${o.assetId}`);
      }),
    );
  assets
    .command('import <file>')
    .description('register batteries from a JSON array or a CSV file (asset_id,capacity_kwh,station_id)')
    .action((file: string) =>
      withAdmin(globals(), async (admin) => {
        const rows = file.endsWith('.csv') ? readAssetsCsv(file) : readJsonFile(file);
        const registered = await admin.addAssets(rows as never);
        print(globals(), { registered }, `registered ${registered} batteries`);
      }),
    );

  const users = program.command('users').description('broker users: the password file and the ACL file');
  users
    .command('add <name>')
    .description('add or replace a broker user (roles: attendant, odoo, station, agent, ops, monitor)')
    .requiredOption('--role <role>', 'attendant | odoo | station | agent | ops | monitor')
    .option(
      '--password <password>',
      'the password (visible to other users of this machine: prefer --password-stdin)',
    )
    .option('--password-stdin', 'read the password from standard input')
    .option('--site <site_id>', "a station's site (default: the configured site_id)")
    .action(
      async (
        name: string,
        o: { role: string; password?: string; passwordStdin?: boolean; site?: string },
      ) => {
        const password = o.passwordStdin ? await readStdinLine() : o.password;
        if (password === undefined) throw new Error('give --password or --password-stdin');
        // Editing the two files needs their paths, not what swapd needs to start (the Odoo secret, say).
        const added = addBrokerUser(configFrom(globals(), false), {
          name,
          role: o.role,
          password,
          ...(o.site ? { site: o.site } : {}),
        });
        print(
          globals(),
          added,
          `broker user ${added.name} (${added.role}${added.site ? ` at ${added.site}` : ''}) written`,
        );
      },
    );
  users
    .command('remove <name>')
    .description('remove a broker user from both files')
    .action((name: string) => {
      removeBrokerUser(configFrom(globals(), false), name);
      print(globals(), { removed: name }, `broker user ${name} removed`);
    });

  program
    .command('bench')
    .description('run the benchmarks (bench/run.ts): --duration, --warmup, --scenarios, --json, --out')
    .helpOption(false)
    .allowUnknownOption()
    .argument('[options...]')
    .action(async () => {
      const { parseBenchArgs, runBench } = await import('../bench/run.js');
      await runBench(parseBenchArgs(process.argv.slice(process.argv.indexOf('bench') + 1)));
    });

  program
    .command('sim')
    .description(
      'run a simulator alone: the station (Modbus TCP: slots are unit ids 1..N, the scanner unit 100) or, with --protocol seplos-v2, a bus of Seplos V2 packs (addresses 1..N)',
    )
    .option('--port <port>', 'TCP port (default 5020; 8888 for seplos-v2)', Number)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--slots <n>', 'charging slots (Seplos: packs on the bus)', Number, 16)
    .addOption(
      new Option('--protocol <protocol>', 'modbus (the station) or seplos-v2 (battery packs)')
        .choices(['modbus', 'seplos-v2'])
        .default('modbus'),
    )
    .action((o: { port?: number; host: string; slots: number; protocol: string }) => {
      const config = configFrom(globals());
      if (o.protocol === 'seplos-v2') {
        return runSeplosSimCommand({
          port: o.port ?? 8888,
          host: o.host,
          slots: o.slots,
          site_id: config.site_id,
          onListening: (sim) =>
            print(
              globals(),
              {
                status: 'listening',
                protocol: 'seplos-v2',
                host: sim.host,
                port: sim.port,
                addresses: sim.addresses,
              },
              `Seplos V2 pack simulator on seplos-v2-tcp://${sim.host}:${sim.port} (pack addresses ${sim.addresses.join(', ')})`,
            ),
        });
      }
      return runSimCommand({
        port: o.port ?? 5020,
        host: o.host,
        slots: o.slots,
        site_id: config.site_id,
        onListening: (sim) =>
          print(
            globals(),
            {
              status: 'listening',
              host: sim.host,
              port: sim.port,
              slots: sim.slotUnitIds.length,
              scanner_unit: sim.scannerUnitId,
            },
            `station simulator on modbus-tcp://${sim.host}:${sim.port} (slots 1..${sim.slotUnitIds.length}, scanner unit ${sim.scannerUnitId})`,
          ),
      });
    });

  const safety = program
    .command('safety')
    .description("the SafetyGuard of the running swapd's charging slots");
  safety
    .command('status')
    .description('each slot: latched, reasons, setpoint, mode, charging power')
    .action(async () => {
      const slots = await SafetyClient.open(configFrom(globals())).status();
      print(globals(), { slots }, slots.map(describeSlot).join('\n'));
    });
  safety
    .command('clear')
    .description('clear Safe State (refused while the cause is still present)')
    .option('--device <id>', "the slot's device id (as in the configuration, e.g. slot-3)")
    .option('--all', 'every latched slot')
    .option('--operator <name>', 'who clears it (recorded in the audit log)', defaultOperator())
    .action(async (o: { device?: string; all?: boolean; operator: string }) => {
      if (Boolean(o.device) === Boolean(o.all)) throw new Error('give exactly one of --device <id> or --all');
      const results = await SafetyClient.open(configFrom(globals())).clear(o.device ?? null, o.operator);
      print(globals(), { results }, results.map(describeClear).join('\n') || 'no slot is latched');
      if (results.some((r) => r.outcome === 'refused')) process.exitCode = 3;
    });

  program
    .command('asyncapi')
    .description(`print the MQTT API as AsyncAPI 3 YAML (--out FILE writes it, e.g. ${ASYNCAPI_FILE})`)
    .option('--out <file>', 'write to this file instead of standard output')
    .action((o: { out?: string }) => {
      const text = renderAsyncApi(PROJECT_ROOT);
      if (!o.out) return void process.stdout.write(text);
      writeFileSync(o.out, text);
      print(globals(), { written: o.out }, `wrote ${o.out}`);
    });

  program
    .command('check')
    .description('validate configuration and templates without starting; --reconcile checks the ledger')
    .option('--reconcile', 'read-only ledger checks against the database (exit 2 on any violation)')
    .option('--lag-seconds <s>', 'with --reconcile: how long an event may wait unpublished', Number, 300)
    .action(async (o: { reconcile?: boolean; lagSeconds: number }) => {
      if (o.reconcile) return reconcileCommand(globals(), o.lagSeconds);
      const config = configFrom(globals());
      const templates = loadTemplates(templatesDir(config)).map((t) => t.template_id);
      const registry = loadRegistry(config.registry_dir ?? undefined);
      for (const device of config.station.devices) getProfile(registry, device.profile);
      const profiles = [...registry.keys()];
      print(
        globals(),
        { ok: true, templates, profiles, devices: config.station.devices.map((d) => d.id) },
        `configuration ok; templates: ${templates.join(', ')}; device profiles: ${profiles.join(', ')}`,
      );
    });
  return program;
}

function defaultOperator(): string {
  try {
    return userInfo().username;
  } catch {
    return 'operator';
  }
}

function describeSlot(s: SlotSafetySnapshot): string {
  const state = s.latched
    ? `SAFE STATE (${s.latch_reasons.join(', ')})`
    : s.allowed === false
      ? 'blocked'
      : 'ok';
  const why = s.reasons.length > 0 ? ` reasons ${s.reasons.join(', ')}` : '';
  return `${s.device_id}: ${state}; setpoint ${s.setpoint_kw ?? '-'} kW, mode ${s.mode_cmd ?? '-'}, charging ${s.charging_power_kw ?? '-'} kW, SOC ${s.soc_pct?.toFixed(1) ?? '-'} %, ${s.temperature_c?.toFixed(1) ?? '-'} °C${why}`;
}

function describeClear(r: ClearResult): string {
  if (r.outcome === 'cleared') return `${r.device_id}: cleared (was ${r.reasons.join(', ')})`;
  if (r.outcome === 'not_latched') return `${r.device_id}: not latched`;
  return `${r.device_id}: REFUSED, cause still present: ${r.reasons.join(', ')}`;
}

try {
  await buildProgram().parseAsync(process.argv);
} catch (err) {
  // Details the message does not list already (a configuration error lists each of its problems).
  const extra = isSwapdError(err)
    ? err.details.map((d) => `  ${d.path}: ${d.message}`).filter((line) => !err.message.includes(line))
    : [];
  const message = isSwapdError(err)
    ? `${err.code}: ${err.message}${extra.length ? `\n${extra.join('\n')}` : ''}`
    : (err as Error).message;
  process.stderr.write(`swapd: ${message}\n`);
  process.exit(1);
}
