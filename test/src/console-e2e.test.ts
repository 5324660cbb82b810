// The live coach console end to end: the all-in-one pipeline on real servers, a set published over
// MQTT by a device, and the page in headless Chromium showing its bars, the velocity-loss gauge and
// the high-fatigue alert as they happen, without a reload.
import type { Pipeline } from '@neurolift/pipeline';
import type { MqttClient } from 'mqtt';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensurePackages } from '../../infra/local-services.mjs';
import { API_TOKEN, connectDevice, pipelineEnv, publishRep, startTestPipeline } from './harness/pipeline.js';
import { startServers, type LocalServices } from './harness/servers.js';

const GYM = 'gym-floor';
const STATION = 'rack-7';

let servers: LocalServices;
let pipeline: Pipeline;
let device: MqttClient;
let browser: Browser;

beforeAll(async () => {
  servers = await startServers();
  pipeline = await startTestPipeline(pipelineEnv(servers.env, { MQTT_CLIENT_ID: 'console-e2e', SET_IDLE_TIMEOUT_MS: '30000' }));
  device = await connectDevice(servers.env.MQTT_URL);
  await ensurePackages(['chromium']);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
});

afterAll(async () => {
  await browser?.close();
  await device?.endAsync();
  await pipeline?.close();
  await servers?.stop();
});

it('a set published over MQTT appears on the console as bars, a red gauge and a high_fatigue alert', async () => {
  const page = await browser.newPage();
  let navigations = 0;
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) navigations++;
  });
  await page.goto(`${pipeline.apiUrl}/console?gym=${GYM}&token=${API_TOKEN}`);
  await page.locator('[data-connection="live"]').waitFor();

  const velocities = [0.8, 0.78, 0.75, 0.72, 0.45];
  const t0 = Date.now() - 30_000;
  for (const [i, meanVelocity] of velocities.entries()) {
    await publishRep(device, GYM, STATION, { ts: t0 + i * 4000, athleteId: 'ath-e2e', setId: 'e2e-1', repIndex: i + 1, meanVelocity, loadKg: 140 });
    // Each rep shows up as its bar while the set goes on.
    await page.locator(`[data-station="${STATION}"] [data-rep="${i + 1}"]`).waitFor({ timeout: 10_000 });
  }
  const bars = await Promise.all((await page.locator(`[data-station="${STATION}"] [data-rep]`).all()).map((bar) => bar.getAttribute('data-velocity')));
  expect(bars.map(Number)).toEqual(velocities);
  await page.locator(`[data-station="${STATION}"] [data-gauge][data-level="red"]`).waitFor({ timeout: 10_000 });
  expect(Number(await page.getAttribute(`[data-station="${STATION}"] [data-gauge]`, 'data-vl'))).toBeCloseTo(43.75, 1);
  const alert = page.locator('[data-alert-rule="high_fatigue"]');
  await alert.waitFor({ timeout: 10_000 });
  expect(await alert.getAttribute('data-severity')).toBe('red');
  expect(await alert.textContent()).toContain('Athlete ath-e2e: velocity loss 44 % in set e2e-1 (back_squat) at rep 5, above 40 %');
  expect(navigations).toBe(1);
  await page.close();
});
