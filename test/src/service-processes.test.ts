// Each service as its own process: a wrong or missing setting stops it at start with a message that
// names every bad variable; SIGTERM drains and exits 0.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local-services.mjs';
import { pipelineEnv, spawnNode } from './harness/pipeline.js';
import { startServers, waitFor, type LocalServices } from './harness/servers.js';

const MAINS = {
  ingest: 'services/ingest/dist/main.js',
  stimulus: 'services/stimulus/dist/main.js',
  alerts: 'services/alerts/dist/main.js',
  api: 'services/api/dist/main.js',
  pipeline: 'services/pipeline/dist/main.js',
} as const;

describe('configuration errors', () => {
  const cases: Array<{ main: keyof typeof MAINS; env: Record<string, string>; names: string[]; mentions?: string[] }> = [
    { main: 'ingest', env: {}, names: ['MQTT_URL', 'REDIS_URL'] },
    {
      main: 'ingest',
      env: { MQTT_URL: 'http://broker', REDIS_URL: 'redis://127.0.0.1:1', SET_IDLE_TIMEOUT_MS: 'soon', INGEST_BATCH_MAX: '0' },
      names: ['MQTT_URL', 'SET_IDLE_TIMEOUT_MS', 'INGEST_BATCH_MAX'],
    },
    { main: 'stimulus', env: { REDIS_URL: 'redis://127.0.0.1:1', INFLUX_URL: 'ftp://x' }, names: ['INFLUX_URL', 'INFLUX_TOKEN', 'INFLUX_ORG', 'INFLUX_BUCKET'] },
    {
      main: 'alerts',
      env: { REDIS_URL: 'redis://127.0.0.1:1', MQTT_URL: 'mqtt://127.0.0.1:1', INFLUX_URL: 'http://x', INFLUX_TOKEN: 't', INFLUX_ORG: 'o', INFLUX_BUCKET: 'b', WEBHOOK_ATTEMPTS: '0' },
      names: ['WEBHOOK_ATTEMPTS'],
    },
    {
      main: 'alerts',
      env: {
        REDIS_URL: 'redis://127.0.0.1:1',
        MQTT_URL: 'mqtt://127.0.0.1:1',
        INFLUX_URL: 'http://x',
        INFLUX_TOKEN: 't',
        INFLUX_ORG: 'o',
        INFLUX_BUCKET: 'b',
        ALERTS_CONFIG_FILE: 'test/fixtures/alerts-bad.json',
      },
      names: ['ALERTS_CONFIG_FILE'],
      mentions: ['gyms.gym-01.highFatigueRedPct', 'defaults.timeZone'],
    },
    { main: 'api', env: { REDIS_URL: 'redis://127.0.0.1:1', API_TOKEN: 'short', API_PORT: '70000' }, names: ['API_TOKEN', 'API_PORT'] },
    { main: 'pipeline', env: { LOG_LEVEL: 'loud' }, names: ['MQTT_URL', 'REDIS_URL', 'INFLUX_URL', 'INFLUX_TOKEN', 'INFLUX_ORG', 'INFLUX_BUCKET', 'API_TOKEN', 'LOG_LEVEL'] },
  ];

  it.each(cases)('$main refuses to start and names $names', async ({ main, env, names, mentions = [] }) => {
    const run = spawnNode(MAINS[main], env);
    const { code } = await run.exit;
    const { stderr } = run.output();
    expect(code).toBe(1);
    expect(stderr).toMatch(/^Invalid configuration for /);
    for (const name of names) expect(stderr).toContain(`- ${name}:`);
    for (const key of mentions) expect(stderr).toContain(key);
    // Only the bad settings are listed: one line per name.
    expect(stderr.split('\n').filter((line) => line.startsWith('  - '))).toHaveLength(names.length);
  });
});

describe('graceful shutdown', () => {
  let servers: LocalServices;
  beforeAll(async () => {
    servers = await startServers();
  });
  afterAll(async () => {
    await servers?.stop();
  });

  it('the all-in-one pipeline starts against the servers, and SIGTERM drains and exits 0', async () => {
    const port = await freePort();
    const run = spawnNode(MAINS.pipeline, pipelineEnv(servers.env, { API_PORT: String(port), MQTT_CLIENT_ID: 'shutdown-test', LOG_LEVEL: 'info' }));
    await waitFor(async () => ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok ? true : undefined), { what: 'the pipeline to be ready', timeoutMs: 20_000 });
    run.child.kill('SIGTERM');
    const { code } = await run.exit;
    expect(code).toBe(0);
    expect(run.output().stdout).toContain('"msg":"stopped"');
  });
});
