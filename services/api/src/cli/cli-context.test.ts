import { describe, expect, it } from 'vitest';
import { runCli, type CliIo } from './cli-context.js';
import { DEVICES_CLI } from './devices-cli.js';

/** Runs the devices CLI in-process with captured output; only paths that stop before Redis. */
async function run(argv: readonly string[], env: CliIo['env']) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(DEVICES_CLI, { argv, env, stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) } });
  return { code, stdout, stderr };
}

describe('runCli before it connects', () => {
  it('help prints the usage on stdout, exit 0', async () => {
    const { code, stdout, stderr } = await run(['help'], {});
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: npm run devices -- <command>/);
    expect(stderr).toBe('');
  });

  it('a usage error prints the problem and the usage on stderr, exit 2', async () => {
    const { code, stdout, stderr } = await run(['add', 'rack-a1', '--kind', 'equipment'], { REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^devices: --gym is required \(repeat it for each gym\)\n\nUsage: /);
  });

  it('a bad setting stops it naming the setting, exit 1', async () => {
    const missing = await run(['list'], {});
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toContain('REDIS_URL: is required but not set');
    const noUrl = await run(['list'], { REDIS_URL: 'redis://127.0.0.1:6379', BROKER_ADMIN_PASSWORD: 'admin-password' });
    expect(noUrl.stderr).toContain('BROKER_ADMIN_URL: is required when BROKER_ADMIN_PASSWORD is set');
    expect(noUrl.stderr).not.toContain('admin-password');
    const untagged = await run(['list'], { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX: 'nl', REDIS_SHARDS: '4' });
    expect(untagged).toMatchObject({ code: 1, stdout: '' });
    expect(untagged.stderr).toContain('REDIS_PREFIX must be one hash tag');
  });
});
