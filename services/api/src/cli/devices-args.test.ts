import { describe, expect, it } from 'vitest';
import { parseDevicesArgs } from './devices-args.js';

const args = (line: string): string[] => line.split(' ');
const problemOf = (line: string): string | undefined => {
  const parsed = parseDevicesArgs(args(line));
  return parsed.kind === 'usage' ? parsed.problem : undefined;
};

describe('parseDevicesArgs', () => {
  it('add: id, kind, every --gym, an optional password; the tenant defaults to default', () => {
    expect(parseDevicesArgs(args('add rack-a1 --kind equipment --gym gym-a'))).toEqual({
      kind: 'command',
      command: { command: 'add', tenant: 'default', id: 'rack-a1', kind: 'equipment', gyms: ['gym-a'] },
    });
    expect(parseDevicesArgs(args('add band-7 --kind wearable --gym gym-a --gym gym-b --password a-chosen-password-16 --tenant acme'))).toEqual({
      kind: 'command',
      command: { command: 'add', tenant: 'acme', id: 'band-7', kind: 'wearable', gyms: ['gym-a', 'gym-b'], password: 'a-chosen-password-16' },
    });
  });

  it('add: names what is missing or wrong', () => {
    expect(problemOf('add --kind equipment --gym gym-a')).toBe('device id is missing');
    expect(problemOf('add rack-a1 --gym gym-a')).toBe('--kind is required');
    expect(problemOf('add rack-a1 --kind treadmill --gym gym-a')).toBe('--kind must be equipment|wearable|coach-app (got "treadmill")');
    expect(problemOf('add rack-a1 --kind equipment')).toBe('--gym is required (repeat it for each gym)');
    expect(problemOf('add rack-a1 --kind equipment --gym')).toBe("Option '--gym <value>' argument missing");
    expect(problemOf('add rack/a1 --kind equipment --gym gym-a')).toBe('device id "rack/a1" must be 1 to 64 characters of A-Z a-z 0-9 _ -');
    expect(problemOf('add rack-a1 --kind equipment --gym gym+a')).toBe('--gym "gym+a" must be 1 to 64 characters of A-Z a-z 0-9 _ -');
    expect(problemOf('add rack-a1 --kind equipment --gym gym-a --password short')).toBe('--password "short" must be 16 to 256 characters');
    expect(problemOf('add rack-a1 rack-a2 --kind equipment --gym gym-a')).toBe('unexpected argument "rack-a2"');
    expect(problemOf('add rack-a1 --kind equipment --gym gym-a --colour red')).toBe("Unknown option '--colour'");
    expect(problemOf('add rack-a1 --kind equipment --gym gym-a --tenant no/such')).toBe('--tenant "no/such" must be 1 to 64 characters of A-Z a-z 0-9 _ -');
  });

  it('disable, enable, remove and rotate take one device id', () => {
    for (const action of ['disable', 'enable', 'remove', 'rotate'] as const) {
      expect(parseDevicesArgs([action, 'rack-a1'])).toEqual({ kind: 'command', command: { command: action, tenant: 'default', id: 'rack-a1' } });
      expect(problemOf(action)).toBe('device id is missing');
    }
    expect(parseDevicesArgs(args('rotate rack-a1 --password another-password-16'))).toMatchObject({ command: { password: 'another-password-16' } });
    expect(problemOf('disable rack-a1 --password another-password-16')).toBe("Unknown option '--password'");
  });

  it('list, gym-add and tenant-add', () => {
    expect(parseDevicesArgs(['list'])).toEqual({ kind: 'command', command: { command: 'list', tenant: 'default', json: false } });
    expect(parseDevicesArgs(args('list --json --tenant acme'))).toEqual({ kind: 'command', command: { command: 'list', tenant: 'acme', json: true } });
    expect(problemOf('list rack-a1')).toBe('unexpected argument "rack-a1"');
    expect(parseDevicesArgs(args('gym-add gym-b'))).toEqual({ kind: 'command', command: { command: 'gym-add', tenant: 'default', gymId: 'gym-b' } });
    expect(parseDevicesArgs(['tenant-add', 'acme', '--name', 'Acme Fitness', '--bucket', 'acme_points'])).toEqual({
      kind: 'command',
      command: { command: 'tenant-add', tenant: 'default', id: 'acme', name: 'Acme Fitness', bucket: 'acme_points' },
    });
    expect(problemOf('tenant-add acme --bucket acme_points')).toBe('--name is required');
    expect(problemOf('tenant-add acme --name Acme --bucket acme/points')).toBe('--bucket "acme/points" must be 1 to 128 characters of A-Z a-z 0-9 _ . -');
  });

  it('help, and commands that do not exist', () => {
    for (const line of ['help', '--help', '-h', 'add --help', 'list -h']) expect(parseDevicesArgs(args(line))).toEqual({ kind: 'help' });
    expect(parseDevicesArgs([])).toEqual({ kind: 'usage', problem: 'no command given' });
    expect(problemOf('frobnicate')).toBe('unknown command "frobnicate"');
    expect(problemOf('constructor')).toBe('unknown command "constructor"');
  });
});
