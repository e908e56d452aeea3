import type { Command } from 'commander';
import { addBrokerUser, removeBrokerUser } from '../admin/broker-users.js';
import { configFrom, type Globals, print, readStdinLine } from './common.js';

/** `swapd users add|remove`: the broker's password file and ACL file. */
export function usersCommands(program: Command, globals: Globals): void {
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
}
