import { userInfo } from 'node:os';
import type { Command } from 'commander';
import type { AdminClient } from './admin-client.js';
import { BATTERY_OPERATIONS, type LifecycleAnswer, type LifecycleCommand } from './lifecycle.js';

interface Globals {
  json?: boolean;
}

interface Options {
  correlationId?: string;
  reason?: string;
  requestedBy?: string;
  station?: string;
}

type WithAdmin = <T>(opts: Globals, work: (admin: AdminClient) => Promise<T>) => Promise<T>;

function operator(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

function describe(answer: LifecycleAnswer): string {
  const signals = (answer.signals as string[] | undefined) ?? [];
  const error = answer.error as { message?: string } | undefined;
  const subject = String(answer.plan_id ?? '');
  return answer.success
    ? `${subject}: ${signals.join(', ')}`
    : `${subject ? `${subject}: ` : ''}${signals.join(', ')}${error?.message ? ` — ${error.message}` : ''}`;
}

/**
 * `swapd plans suspend|resume|close PLAN_ID`, `swapd assets lost|recovered ASSET_ID`: the ops topic's
 * operation, through the running swapd (embedded database) or straight on Postgres. Exit status 1
 * when it is refused.
 */
export function lifecycleCommand(
  command: Command,
  operation: LifecycleCommand['operation'],
  globals: () => Globals,
  withAdmin: WithAdmin,
): Command {
  command
    .option('--correlation-id <id>', 'idempotency key: the same id again is answered, not applied twice')
    .option('--reason <text>', 'why (kept in the audit log)')
    .option('--requested-by <id>', 'who asks (audit log)', operator());
  if (operation === 'recover_battery') command.option('--station <id>', 'station the battery is back at');
  return command.action((id: string, o: Options) =>
    withAdmin(globals(), async (admin) => {
      const battery = BATTERY_OPERATIONS.includes(operation);
      const answer = await admin.lifecycle({
        operation,
        ...(battery ? { asset_id: id } : { plan_id: id }),
        ...(o.correlationId ? { correlation_id: o.correlationId } : {}),
        ...(o.reason ? { reason: o.reason } : {}),
        ...(o.requestedBy ? { requested_by: o.requestedBy } : {}),
        ...(o.station ? { station_id: o.station } : {}),
      });
      const text = describe(answer);
      if (globals().json) process.stdout.write(`${JSON.stringify(answer)}\n`);
      else (answer.success ? process.stdout : process.stderr).write(`${text}\n`);
      if (!answer.success) process.exitCode = 1;
    }),
  );
}
