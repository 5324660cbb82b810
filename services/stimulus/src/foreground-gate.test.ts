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

/** Whether `promise` has settled once the queued microtasks and immediates have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise<void>((resolve) => setImmediate(resolve));
  return done;
}

/** A queue backlog the test sets, and how often the gate asked for it. */
function fakeBacklog(initial = 0) {
  const state = { waiting: initial, asked: 0 };
  return { state, backlog: async () => (state.asked++, state.waiting) };
}

describe('foreground gate', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lets a set job start at once when no foreground job runs or waits', async () => {
    const { backlog } = fakeBacklog();
    const gate = createForegroundGate({ maxWaitMs: 1000, backlog });
    await expect(gate.yieldToForeground()).resolves.toBe(false);
  });

  it('holds a set job back while a rep job runs here, and lets it go when the job finishes', async () => {
    const { backlog } = fakeBacklog();
    const gate = createForegroundGate({ maxWaitMs: 60_000, backlog, pollMs: 60_000 });
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

  it('holds it back while foreground jobs wait in their queues, asking again every pollMs', async () => {
    vi.useFakeTimers();
    const { state, backlog } = fakeBacklog(3);
    const gate = createForegroundGate({ maxWaitMs: 60_000, backlog, pollMs: 50 });
    let result: boolean | undefined;
    void gate.yieldToForeground().then((timedOut) => (result = timedOut));
    await vi.advanceTimersByTimeAsync(120);
    expect(result).toBeUndefined();
    expect(state.asked).toBe(3); // at 0, 50 and 100 ms
    state.waiting = 0;
    await vi.advanceTimersByTimeAsync(50);
    expect(result).toBe(false);
  });

  it('gives up waiting after maxWaitMs, so a steady stream of rep jobs cannot starve set jobs', async () => {
    vi.useFakeTimers();
    const { backlog } = fakeBacklog(1);
    const gate = createForegroundGate({ maxWaitMs: 1000, backlog, pollMs: 50 });
    let result: boolean | undefined;
    void gate.yieldToForeground().then((timedOut) => (result = timedOut));
    await vi.advanceTimersByTimeAsync(999);
    expect(result).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(result).toBe(true);
  });

  it('a failing foreground job still counts as finished', async () => {
    const { backlog } = fakeBacklog();
    const gate = createForegroundGate({ maxWaitMs: 60_000, backlog, pollMs: 60_000 });
    const rep = pendingWork();
    const running = gate.run(rep.work);
    const waiting = gate.yieldToForeground();
    rep.fail(new Error('TSDB down'));
    await expect(running).rejects.toThrow('TSDB down');
    await expect(waiting).resolves.toBe(false);
    expect(gate.running).toBe(0);
  });

  it('a backlog that cannot be read does not hold set jobs', async () => {
    const gate = createForegroundGate({ maxWaitMs: 60_000, backlog: () => Promise.reject(new Error('redis away')) });
    await expect(gate.yieldToForeground()).resolves.toBe(false);
  });

  it('with a bound of 0 a set job never waits', async () => {
    const { state, backlog } = fakeBacklog(5);
    const gate = createForegroundGate({ maxWaitMs: 0, backlog });
    void gate.run(pendingWork().work);
    await expect(gate.yieldToForeground()).resolves.toBe(false);
    expect(state.asked).toBe(0);
  });
});
