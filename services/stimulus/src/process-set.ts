import type { RepRecord, SetJob } from '@neurolift/contracts';
import { computeSetMetrics } from '@neurolift/stimulus';
import { repLine, setLine } from './points.js';
import type { PointSink, SetStore } from './ports.js';

/**
 * Computes a closed set's metrics from all its stored reps and writes the `set` point together with
 * the final `rep` points (their velocity loss now measured against the complete first reps). Writing
 * the same set again overwrites the same points, so a re-run job changes nothing.
 */
export async function processSet(job: SetJob, deps: { sets: SetStore; sink: PointSink }): Promise<{ reps: number }> {
  const reps = await deps.sets.setReps(job.stationId, job.setId);
  const metrics = computeSetMetrics(reps);
  if (!metrics) return { reps: 0 };
  const ordered = [...reps].sort((a, b) => a.repIndex - b.repIndex);
  const last = ordered[ordered.length - 1] as RepRecord;
  const lines = ordered.map((rep) => repLine(rep, metrics.repVelocityLossPct.get(rep.repIndex)));
  lines.push(setLine(last, metrics));
  await deps.sink.write(lines);
  return { reps: reps.length };
}
