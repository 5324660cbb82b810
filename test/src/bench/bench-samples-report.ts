// What bench-samples prints: each run's figures as it ends, then every run's figures with their median,
// a one-line summary and, with --json, the medians bench-all reads.
import { medianOf } from './summary.js';

export interface SamplesRunResult {
  readonly offeredBlocksPerS: number;
  readonly offeredSamplesPerS: number;
  readonly sustainedBlocksPerS: number;
  readonly sustainedSamplesPerS: number;
  /** Published over the whole run (the old figure). */
  readonly blocksPerS: number;
  readonly samplesPerS: number;
  readonly meanPayloadBytes: number;
  readonly backlogMax: number;
  readonly backlogEnd: number;
  readonly backlogSlope: number;
  readonly inboxBacklogMax: number;
  /** Published and not yet stored by ingest (in the broker or in ingest), max. */
  readonly brokerBacklogMax: number;
  readonly queueDepthMax: number;
  readonly drainS: number;
  readonly drained: boolean;
  readonly lagP50: number;
  readonly lagP99: number;
  readonly lagMax: number;
  readonly lagBlockP99: number;
  readonly lagFinishP99: number;
  /** p50 of the lag of the reps whose block was published in the last 10 s. */
  readonly lagLastP50: number;
  readonly warmupLagMax: number;
  readonly expectedReps: number;
  readonly foundReps: number;
  readonly missingReps: number;
  readonly extraReps: number;
  readonly truthReps: number;
  readonly closedSets: number;
  readonly deadLetters: number;
  readonly deadLetterReasons: Record<string, number>;
  /** The newest dead letter without its payload. */
  readonly deadLetterExample?: string;
  readonly publisherInFlightMax: number;
  readonly cpuPct: Record<string, number>;
  readonly cpuUsPerBlock: Record<string, number>;
  /** CPU µs per block it handled in the steady window: ingest per block it stored, the worker per block it segmented. */
  readonly cpuUsPerHandledBlock: Record<string, number>;
  /** /proc/loadavg (1 min) when the run started and when its last block was published. */
  readonly loadAvg: [number, number];
  readonly peakRssMb: Record<string, number>;
  readonly eventLoopMaxMs: Record<string, number>;
  readonly timeline: Array<{ t: number; backlog: number; inbox: number; queue: number }>;
  readonly publishError?: string;
}

export const quantile = (values: readonly number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number);
};

/** Least-squares slope of y over t. */
export function slope(points: ReadonlyArray<readonly [number, number]>): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mt = points.reduce((s, [t]) => s + t, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const num = points.reduce((s, [t, y]) => s + (t - mt) * (y - my), 0);
  const den = points.reduce((s, [t]) => s + (t - mt) ** 2, 0);
  return den === 0 ? NaN : num / den;
}

export const fmt = (value: number, digits = 0) => (Number.isFinite(value) ? value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–');

/** The run's settings the report names. */
export interface SamplesReportContext {
  readonly channel: string;
  readonly stations: number;
  readonly hz: number;
  readonly blockMs: number;
  readonly runs: number;
  readonly drainTimeoutS: number;
  /** The pipeline's own processes, and every process measured. */
  readonly pipeline: readonly string[];
  readonly processes: readonly string[];
}

/** One run's figures, as it ends. */
export function printRun(run: number, r: SamplesRunResult, ctx: SamplesReportContext): void {
  const cpu = ctx.processes.map((name) => `${name} ${fmt(r.cpuPct[name] ?? NaN)}`).join(', ');
  const rss = ctx.processes.map((name) => `${name} ${fmt(r.peakRssMb[name] ?? NaN)}`).join(', ');
  console.log(
    `run ${run}: offered ${fmt(r.offeredBlocksPerS)} blocks/s (${fmt(r.offeredSamplesPerS)} samples/s, ${fmt(r.meanPayloadBytes)} B each), sustained ${fmt(r.sustainedBlocksPerS)} blocks/s (${fmt(r.sustainedSamplesPerS)} samples/s); ` +
      `backlog max ${fmt(r.backlogMax)} blocks (in Redis inboxes ${fmt(r.inboxBacklogMax)}, before ingest's commit ${fmt(r.brokerBacklogMax)}, queue ≤ ${fmt(r.queueDepthMax)} jobs), at the last block ${fmt(r.backlogEnd)}, growth ${fmt(r.backlogSlope, 1)} blocks/s; ` +
      `${r.drained ? `drained ${fmt(r.drainS, 1)} s after the last block` : `NOT drained ${ctx.drainTimeoutS} s after the last block`}`,
  );
  console.log(
    `  lag block → rep point acknowledged by the TSDB: p50 ${fmt(r.lagP50)} ms, p99 ${fmt(r.lagP99)} ms, max ${fmt(r.lagMax)} ms (reps completed by a block p99 ${fmt(r.lagBlockP99)}, at set close p99 ${fmt(r.lagFinishP99)}; ` +
      `last 10 s p50 ${fmt(r.lagLastP50)}; warm-up max ${fmt(r.warmupLagMax)}); reps expected ${r.expectedReps}, found ${r.foundReps}, missing ${r.missingReps}, unexpected ${r.extraReps} ` +
      `(${r.closedSets} closed sets, generator truth ${r.truthReps} reps); dead letters ${r.deadLetters}${r.deadLetters > 0 ? ` ${JSON.stringify(r.deadLetterReasons)}, newest ${r.deadLetterExample ?? '?'}` : ''}; publisher in flight ≤ ${r.publisherInFlightMax}`,
  );
  console.log(
    `  CPU % of one core (steady window): ${cpu}, other processes ${fmt(r.cpuPct['other'] ?? NaN)}; CPU µs per block handled: ingest ${fmt(r.cpuUsPerHandledBlock['ingest'] ?? NaN)}, worker ${fmt(r.cpuUsPerHandledBlock['worker'] ?? NaN)}; ` +
      `peak RSS MB: ${rss}; load average ${r.loadAvg[0]} → ${r.loadAvg[1]}`,
  );
  console.log(`  backlog (blocks not yet segmented) by second: ${r.timeline.filter((_, i) => i % 5 === 0).map((p) => `${fmt(p.t)}s:${p.backlog}`).join(' ')}`);
}

/** Every run's figures with their median, the summary line and, with `json`, the medians. */
export function printSummary(results: readonly SamplesRunResult[], ctx: SamplesReportContext, json: boolean): void {
  const m = (pick: (r: SamplesRunResult) => number) => medianOf(results.map(pick)) ?? NaN;
  /**
   * Kept up: the worker segmented what was offered (≥ 97 % over the steady window: the backlog's swings
   * at the window's ends are a few % of a 30 s window), the backlog did not grow (least-squares growth
   * ≤ 2 % of the offered blocks/s), it drained after the last block, nothing lost or dead-lettered.
   * The samples criterion (drained within 2 blocks) is the separate `drainS` figure.
   */
  const keptUp = (r: SamplesRunResult) =>
    r.drained && r.sustainedBlocksPerS >= 0.97 * r.offeredBlocksPerS && r.backlogSlope <= 0.02 * r.offeredBlocksPerS && r.missingReps === 0 && r.deadLetters === 0;
  const rows: Array<[string, (r: SamplesRunResult) => number, number]> = [
    ['offered blocks/s', (r) => r.offeredBlocksPerS, 0],
    ['offered samples/s', (r) => r.offeredSamplesPerS, 0],
    ['sustained (segmented) blocks/s', (r) => r.sustainedBlocksPerS, 0],
    ['sustained samples/s', (r) => r.sustainedSamplesPerS, 0],
    ['sustained / offered', (r) => r.sustainedBlocksPerS / r.offeredBlocksPerS, 3],
    ['kept up (1 = yes)', (r) => (keptUp(r) ? 1 : 0), 0],
    ['backlog max, blocks', (r) => r.backlogMax, 0],
    ['backlog at the last block, blocks', (r) => r.backlogEnd, 0],
    ['backlog growth, blocks/s (steady window)', (r) => r.backlogSlope, 1],
    ['  in Redis inboxes, max', (r) => r.inboxBacklogMax, 0],
    ['  not yet stored by ingest (broker, ingest), max', (r) => r.brokerBacklogMax, 0],
    ['  samples queue depth max, jobs', (r) => r.queueDepthMax, 0],
    ['drain after the last block, s', (r) => r.drainS, 1],
    ['lag p50, ms', (r) => r.lagP50, 0],
    ['lag p99, ms', (r) => r.lagP99, 0],
    ['lag max, ms', (r) => r.lagMax, 0],
    ['  lag p50 of the last 10 s, ms', (r) => r.lagLastP50, 0],
    ['  lag p99 reps at set close, ms', (r) => r.lagFinishP99, 0],
    ['reps expected', (r) => r.expectedReps, 0],
    ['reps found', (r) => r.foundReps, 0],
    ['reps missing', (r) => r.missingReps, 0],
    ['  generator truth reps of the closed sets', (r) => r.truthReps, 0],
    ['  closed sets', (r) => r.closedSets, 0],
    ['dead letters', (r) => r.deadLetters, 0],
    ...ctx.processes.map((name): [string, (r: SamplesRunResult) => number, number] => [`CPU % ${name}`, (r) => r.cpuPct[name] ?? NaN, 0]),
    ['CPU % other processes', (r) => r.cpuPct['other'] ?? NaN, 0],
    ...ctx.processes.map((name): [string, (r: SamplesRunResult) => number, number] => [`CPU µs/block ${name}`, (r) => r.cpuUsPerBlock[name] ?? NaN, 0]),
    ['CPU µs/block stored by ingest', (r) => r.cpuUsPerHandledBlock['ingest'] ?? NaN, 0],
    ['CPU µs/block segmented by the worker', (r) => r.cpuUsPerHandledBlock['worker'] ?? NaN, 0],
    ...ctx.processes.map((name): [string, (r: SamplesRunResult) => number, number] => [`peak RSS MB ${name}`, (r) => r.peakRssMb[name] ?? NaN, 0]),
    ...ctx.processes.filter((name) => ['ingest', 'worker', 'alerts', 'pipeline'].includes(name)).map((name): [string, (r: SamplesRunResult) => number, number] => [
      `event-loop delay max ms ${name} (after 10 s)`,
      (r) => r.eventLoopMaxMs[name] ?? NaN,
      0,
    ]),
    ['load average (1 min) at the start', (r) => r.loadAvg[0], 2],
    ['load average (1 min) at the last block', (r) => r.loadAvg[1], 2],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  console.log(`\n${''.padEnd(width)}  ${results.map((_, i) => `run ${i + 1}`.padStart(10)).join('  ')}  ${'MEDIAN'.padStart(10)}`);
  for (const [label, pick, digits] of rows) console.log(`${label.padEnd(width)}  ${results.map((r) => fmt(pick(r), digits).padStart(10)).join('  ')}  ${fmt(m(pick), digits).padStart(10)}`);
  console.log(
    `MEDIAN: ${fmt(m((r) => r.blocksPerS))} blocks/s offered, ${fmt(m((r) => r.sustainedBlocksPerS))} sustained, backlog max ${fmt(m((r) => r.backlogMax))}, drain ${fmt(m((r) => r.drainS), 1)} s, ` +
      `lag p50 ${fmt(m((r) => r.lagP50))} ms p99 ${fmt(m((r) => r.lagP99))} ms, pipeline RSS ${fmt(m((r) => ctx.pipeline.reduce((sum, name) => sum + (r.peakRssMb[name] ?? 0), 0)))} MB; ` +
      `kept up (sustained ≥ 97 % of offered, backlog growth ≤ 2 % of offered, drained, 0 missing, 0 dead letters) in ${results.filter(keptUp).length} of ${ctx.runs} runs`,
  );
  if (json) {
    const medians = {
      channel: ctx.channel,
      stations: ctx.stations,
      blockMs: ctx.blockMs,
      hz: ctx.hz,
      blocksPerS: m((r) => r.blocksPerS),
      samplesPerS: m((r) => r.samplesPerS),
      offeredSamplesPerS: m((r) => r.offeredSamplesPerS),
      sustainedSamplesPerS: m((r) => r.sustainedSamplesPerS),
      /** The samples queue's depth, jobs (waiting + active + delayed), max: what bench-all has always shown. */
      backlogMax: m((r) => r.queueDepthMax),
      /** Blocks published and not yet segmented, max. */
      backlogBlocksMax: m((r) => r.backlogMax),
      backlogSlope: m((r) => r.backlogSlope),
      drainS: m((r) => r.drainS),
      lagP50: m((r) => r.lagP50),
      lagP99: m((r) => r.lagP99),
      missingReps: m((r) => r.missingReps),
      deadLetters: m((r) => r.deadLetters),
      keptUpRuns: results.filter(keptUp).length,
      /** The sum of the pipeline processes' peaks (as before). */
      peakRssMb: m((r) => ctx.pipeline.reduce((sum, name) => sum + (r.peakRssMb[name] ?? 0), 0)),
    };
    console.log(`JSON ${JSON.stringify({ medians, runs: results })}`);
  }
}
