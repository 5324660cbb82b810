import { afterEach, describe, expect, it, vi } from 'vitest';
import { createForegroundGate } from './foreground-gate.js';

/** A foreground job the test finishes when it wants. */
function pendingWork() {
  let finish: () => void = () => undefined;
  let fail: (error: Error) => void = () => undefined;
  const promise = new Promise<string>((resolve, reject) => {
    finish = () => resolve('done');
    fail = reject;
  });
  return { work: () => promise, finish, fail };
}

/** Whether `promise` has settled once the queued microtasks have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true), () => (done = true));
  await new Promise<void>((resolve) => setImmediate(resolve));
  return done;
}

describe('foreground gate', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lets a set job start at once when no foreground work runs or waits', async () => {
    const gate = createForegroundGate(1000);
    await expect(gate.yieldToForeground()).resolves.toBe(false);
  });

  it('holds a set job back while a rep job runs, and lets it go when the job finishes', async () => {
    const gate = createForegroundGate(60_000);
    const rep = pendingWork();
    const running = gate.run(rep.work);
    expect(gate.running).toBe(1);
    const waiting = gate.yieldToForeground();
    expect(await settled(waiting)).toBe(false);
    rep.finish();
    await expect(running).resolves.toBe('done');
    await expect(waiting).resolves.toBe(false);
    expect(gate.running).toBe(0);
  });

  it('waits for the last of several foreground jobs and for queued ones (a backlog) too', async () => {
    const gate = createForegroundGate(60_000);
    const a = pendingWork();
    const b = pendingWork();
    const runs = [gate.run(a.work), gate.run(b.work)];
    gate.setBacklog('reps', true);
    const waiting = gate.yieldToForeground();
    a.finish();
    await runs[0];
    expect(await settled(waiting)).toBe(false);
    b.finish();
    await runs[1];
    expect(await settled(waiting)).toBe(false); // rep jobs still queued
    gate.setBacklog('samples', false); // another queue draining changes nothing
    expect(await settled(waiting)).toBe(false);
    gate.setBacklog('reps', false);
    await expect(waiting).resolves.toBe(false);
  });

  it('gives up waiting after the bound, so a steady stream of rep jobs cannot starve set jobs', async () => {
    vi.useFakeTimers();
    const gate = createForegroundGate(1000);
    gate.setBacklog('reps', true);
    const waiting = gate.yieldToForeground();
    await vi.advanceTimersByTimeAsync(999);
    let result: boolean | undefined;
    void waiting.then((timedOut) => (result = timedOut));
    await vi.advanceTimersByTimeAsync(0);
    expect(result).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(result).toBe(true);
  });

  it('a failing foreground job still counts as finished', async () => {
    const gate = createForegroundGate(60_000);
    const rep = pendingWork();
    const running = gate.run(rep.work);
    const waiting = gate.yieldToForeground();
    rep.fail(new Error('TSDB down'));
    await expect(running).rejects.toThrow('TSDB down');
    await expect(waiting).resolves.toBe(false);
    expect(gate.running).toBe(0);
  });

  it('with a bound of 0 a set job never waits', async () => {
    const gate = createForegroundGate(0);
    gate.setBacklog('reps', true);
    void gate.run(pendingWork().work);
    await expect(gate.yieldToForeground()).resolves.toBe(false);
  });
});
