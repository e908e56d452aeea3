import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { openDatabase } from './adapters/db/connect.js';
import { migrateToLatest } from './adapters/db/migrate.js';
import { getProfile, loadRegistry } from './adapters/drivers/registry/load-registry.js';
import { loadTemplates } from './adapters/templates/template-loader.js';
import { readAssetsCsv, readJsonFile, reconcileDatabase } from './admin/admin-client.js';
import { lifecycleCommand } from './admin/lifecycle-command.js';
import { formatReconcileReport } from './admin/reconcile.js';
import { configFrom, type GlobalOptions, print, templatesDir, withAdmin } from './cli/common.js';
import { stationCommands } from './cli/station-commands.js';
import { usersCommands } from './cli/users-commands.js';
import { redactUrl } from './config/redact-url.js';
import { ASYNCAPI_FILE, renderAsyncApi } from './contract/asyncapi-yaml.js';
import { isSwapdError } from './errors.js';
import { PROJECT_ROOT, startSwapd } from './main.js';

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

  usersCommands(program, globals);

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

  stationCommands(program, globals);

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
