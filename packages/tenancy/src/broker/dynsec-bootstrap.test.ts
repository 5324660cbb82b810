import { describe, expect, it } from 'vitest';
import { dynsecBootstrap, dynsecBootstrapJson } from './dynsec-bootstrap.js';
import { verifyPassword } from './password-hash.js';

const PASSWORDS = { admin: 'admin-pw', ingest: 'ingest-pw', alerts: 'alerts-pw' };

describe('dynsecBootstrap', () => {
  const file = dynsecBootstrap(PASSWORDS);

  it('holds the admin and the pipeline users, each with its role and password', () => {
    expect(file.clients.map((c) => [c.username, c.roles.map((r) => r.rolename)])).toEqual([
      ['neurolift.admin', ['admin']],
      ['neurolift.ingest', ['neurolift.ingest']],
      ['neurolift.alerts', ['neurolift.alerts']],
    ]);
    const [admin, ingest, alerts] = file.clients;
    const stored = (c: typeof admin) => ({ salt: c?.salt ?? '', hash: c?.password ?? '', iterations: c?.iterations ?? 0 });
    expect(verifyPassword('admin-pw', stored(admin))).toBe(true);
    expect(verifyPassword('ingest-pw', stored(ingest))).toBe(true);
    expect(verifyPassword('alerts-pw', stored(alerts))).toBe(true);
    expect(verifyPassword('admin-pw', stored(ingest))).toBe(false);
  });

  it('defines every role a client names, and the default access', () => {
    const roles = new Set(file.roles.map((r) => r.rolename));
    expect(file.clients.flatMap((c) => c.roles.map((r) => r.rolename)).every((name) => roles.has(name))).toBe(true);
    expect(file.defaultACLAccess).toEqual({ publishClientSend: false, publishClientReceive: true, subscribe: false, unsubscribe: true });
  });

  it('is JSON with the keys the plugin reads', () => {
    const parsed = JSON.parse(dynsecBootstrapJson(PASSWORDS)) as Record<string, unknown>;
    expect(Object.keys(parsed).sort()).toEqual(['clients', 'defaultACLAccess', 'groups', 'roles']);
    const [client] = parsed.clients as Array<Record<string, unknown>>;
    expect(Object.keys(client ?? {}).sort()).toEqual(['iterations', 'password', 'roles', 'salt', 'textname', 'username']);
  });
});
