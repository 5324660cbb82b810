import { describe, expect, it } from 'vitest';
import { fail, ok } from '@neurolift/tenancy';
import { fields, outcomeOf, table } from './cli-output.js';

describe('cli output', () => {
  it('a table: columns two spaces apart, no trailing spaces', () => {
    expect(table(['ID', 'ENABLED'], [['rack-a1', 'yes'], ['b', 'no']])).toBe('ID       ENABLED\nrack-a1  yes\nb        no\n');
  });

  it('fields: values aligned', () => {
    expect(fields([['id', 'rack-a1'], ['password', 'pw']])).toBe('id:       rack-a1\npassword: pw\n');
  });

  it('control characters in stored names cannot drive the terminal', () => {
    expect(table(['NAME'], [['evil\u001b[2Jname\n']])).toBe('NAME\nevil?[2Jname?\n');
  });

  it('an admin result: its rendering on stdout, or refused (exit 1) with the reason on stderr', () => {
    expect(outcomeOf(ok('x'), 'add rack-a1', (value) => `${value}\n`)).toEqual({ code: 0, stdout: 'x\n', stderr: '' });
    expect(outcomeOf(fail('conflict', 'device id rack-a1 is not available'), 'add rack-a1', () => 'never')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'add rack-a1: device id rack-a1 is not available\n',
    });
  });
});
