/* A closed concentric phase → a rep (validity, ranges, partial, MPV, force and power), set tallies updated. */
import type { SegmenterParams } from './params.js';
import type { SetTally } from './stream-state.js';
import type { SegmentedRep } from './types.js';

/** A concentric phase as the phase detector closed it (times epoch ms; NaN = none). */
export interface ClosedConcentric {
  /** Start (NaN: started before the stream), its position and the load at it. */
  readonly startT: number;
  readonly startP: number;
  readonly startLoad: number;
  /** End (the candidate end: where v fell back through +threshold) and its position. */
  readonly endT: number;
  readonly endP: number;
  readonly peakV: number;
  /** End of the propulsive phase: first a < −g after the peak velocity. */
  readonly propT: number;
  readonly propP: number;
  /** Σ force, Σ force·v, samples, any estimated force over the concentric. */
  readonly sumF: number;
  readonly sumPw: number;
  readonly n: number;
  readonly estimated: boolean;
  /** The largest eccentric since the last rep, ms. */
  readonly eccMs: number;
}

/** Median of a non-empty list. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The rep, or null when the concentric is not one (start unknown, too short or too small) or is
 * outside the `rep` message's ranges (then counted in tally.dropped). A rep is counted in the tally.
 */
export function measureRep(c: ClosedConcentric, params: SegmenterParams, tally: SetTally): SegmentedRep | null {
  const { startT, endT } = c;
  if (Number.isNaN(startT)) return null; // started before the stream: its start is unknown
  const durationMs = endT - startT;
  const rom = c.endP - c.startP;
  if (durationMs < params.minConcentricMs || rom < params.minPartialRomM) return null;
  const meanVelocity = rom / (durationMs / 1000);
  if (tally.count >= 1000 || meanVelocity > 5 || rom > 3 || durationMs > 60_000) {
    tally.dropped++;
    return null;
  }
  const propT = c.propT;
  const meanPropulsiveVelocity = !Number.isNaN(propT) && propT > startT && propT < endT
    ? (c.propP - c.startP) / ((propT - startT) / 1000)
    : meanVelocity;
  tally.roms.push(rom);
  const partial = rom < params.minFullRomM || rom < params.fullRomFraction * median(tally.roms);
  const eccentricMs = Number.isNaN(c.eccMs) || c.eccMs > 60_000 ? undefined : Math.round(c.eccMs);
  const n = c.n;
  const meanForce = n > 0 ? c.sumF / n : c.startLoad * params.gravity;
  const meanPower = n > 0 ? c.sumPw / n : meanForce * meanVelocity;
  tally.count++;
  return {
    repIndex: tally.count,
    ts: Math.round(endT),
    concentricStartTs: Math.round(startT),
    loadKg: c.startLoad,
    meanVelocity,
    meanPropulsiveVelocity,
    peakVelocity: Math.max(c.peakV, meanVelocity),
    rom,
    concentricMs: Math.max(1, Math.round(durationMs)),
    ...(eccentricMs === undefined ? {} : { eccentricMs }),
    meanForce,
    meanPower,
    forceSource: c.estimated || n === 0 ? 'estimated' : 'load_cell',
    partial,
  };
}
