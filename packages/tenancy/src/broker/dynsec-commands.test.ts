import { describe, expect, it } from 'vitest';
import { deviceRole } from './device-acl.js';
import { commandMessage, roleBatches, type DynsecCommand } from './dynsec-commands.js';

/** With room for the correlationData the client adds to each command. */
const sentSize = (batch: readonly DynsecCommand[]): number =>
  Buffer.byteLength(commandMessage(batch.map((command, i) => ({ ...command, correlationData: `neurolift-registry-0123abcd:${1_000_000 + i}` }))));

describe('roleBatches', () => {
  it('a small role: create it (or find it) and set its ACLs, in one message', () => {
    const role = deviceRole({ id: 'rack-01', kind: 'equipment', gyms: ['gym-a'] });
    const batches = roleBatches(role, 60_000);
    expect(batches).toEqual([
      [
        { command: 'createRole', rolename: 'device.rack-01', textname: role.textname },
        { command: 'modifyRole', rolename: 'device.rack-01', textname: role.textname, acls: role.acls },
      ],
    ]);
  });

  it('a wearable of 1000 gyms: every ACL once, in order, no message over the bound', () => {
    const gyms = Array.from({ length: 1000 }, (_, i) => `gym-${String(i).padStart(4, '0')}`);
    const role = deviceRole({ id: 'bar-0001', kind: 'wearable', gyms });
    const batches = roleBatches(role, 60_000);
    expect(batches.length).toBeGreaterThan(1);
    for (const batch of batches) expect(sentSize(batch)).toBeLessThanOrEqual(60_000);
    const [head, ...rest] = batches;
    const modify = head?.[1];
    const sent = [...((modify?.acls as unknown[] | undefined) ?? []), ...rest.flat().map(({ command: _c, rolename: _r, ...acl }) => acl)];
    expect(sent).toEqual(role.acls);
    expect(rest.flat().every((c) => c.command === 'addRoleACL' && c.rolename === 'device.bar-0001')).toBe(true);
  });

  it('refuses a bound that cannot hold the role’s commands', () => {
    expect(() => roleBatches(deviceRole({ id: 'rack-01', kind: 'equipment', gyms: ['gym-a'] }), 100)).toThrow(/no room/);
  });
});
