import type { AedesOptions, AuthenticateError, Client } from 'aedes';
import { type AccessPolicy, authenticate, authorize, type Principal } from '../../access/access-policy.js';
import type { Logger } from '../../log.js';

/**
 * The one place that knows aedes' hooks: each asks swapd's access policy. A refused publish closes the
 * client's connection (aedes' way; Mosquitto drops it silently), a refused subscription gets SUBACK
 * 0x80, and every delivery is checked against read access, as Mosquitto checks it.
 */
export type AedesAccessHooks = Required<
  Pick<AedesOptions, 'authenticate' | 'authorizePublish' | 'authorizeSubscribe' | 'authorizeForward'>
>;

const NOT_AUTHORIZED = 5;

function refused(message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode: NOT_AUTHORIZED }) as AuthenticateError;
}

export function aedesAccessHooks(policy: () => AccessPolicy, log: Logger): AedesAccessHooks {
  const principals = new WeakMap<Client, Principal>();
  const principalOf = (client: Client): Principal =>
    principals.get(client) ?? { username: null, clientId: client.id };
  return {
    authenticate(client, username, password, done) {
      const result = authenticate(
        policy(),
        client.id,
        username ?? null,
        password ? password.toString('utf8') : null,
      );
      if (!result.ok) {
        log.warn(
          { client_id: client.id, username: username ?? null, reason: result.reason },
          'MQTT connection refused',
        );
        return done(refused('not authorised'), false);
      }
      principals.set(client, result.principal);
      done(null, true);
    },
    authorizePublish(client, packet, done) {
      if (!client) return done(null);
      if (packet.topic.startsWith('$SYS/')) return done(new Error('$SYS/ topics are reserved'));
      const principal = principalOf(client);
      if (authorize(policy(), principal, 'publish', packet.topic)) return done(null);
      log.warn(
        { client_id: client.id, username: principal.username, topic: packet.topic },
        'publish refused by ACL',
      );
      done(new Error(`not authorised to publish on ${packet.topic}`));
    },
    authorizeSubscribe(client, subscription, done) {
      const principal = principalOf(client);
      if (authorize(policy(), principal, 'subscribe', subscription.topic)) return done(null, subscription);
      log.warn(
        { client_id: client.id, username: principal.username, filter: subscription.topic },
        'subscription refused by ACL',
      );
      done(null, null);
    },
    authorizeForward(client, packet) {
      return authorize(policy(), principalOf(client), 'read', packet.topic) ? packet : null;
    },
  };
}
