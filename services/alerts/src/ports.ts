import type { OpenSet, RecentRoms } from '@neurolift/alerts';
import type { AlertCheckJob, AlertMessage, AthleteProfile, LiveStation, RepRecord } from '@neurolift/contracts';

/** What the in-set rules need of an athlete and exercise, refreshed at every set close. */
export interface AlertBasis {
  /** Median ROM of the athlete's stored reps of the exercise, m. */
  readonly medianRomM?: number | undefined;
  /** e1RM of the athlete's latest set of the exercise, kg. */
  readonly e1rmKg?: number | undefined;
  /** Best e1RM of the exercise ever seen, kg (the model keeps five weeks of sets). */
  readonly bestE1rmKg?: number | undefined;
}

/** A set as checks name it. */
export interface SetRef {
  readonly gymId: string;
  readonly stationId: string;
  readonly setId: string;
  readonly athleteId: string;
}

/** Everything the in-set rules and the console need of one set. */
export interface InSetInputs {
  readonly reps: RepRecord[];
  /** Still open in ingest's set state. */
  readonly open: boolean;
  readonly profile: AthleteProfile;
  /** The athlete's basis for the set's exercise. */
  readonly basis: AlertBasis | undefined;
  /** The station's current console state. */
  readonly previous: LiveStation | undefined;
}

/** A gym's sets waiting for an in-set pass, and the marks that pass read. */
export interface InSetPending {
  readonly sets: readonly SetRef[];
  /** Field → counter as read: the pass removes a field only if no rep batch has bumped it since. */
  readonly marks: ReadonlyMap<string, string>;
}

/** What a set close reads besides the worker's record, in one round trip. */
export interface CloseInputs {
  readonly basis: AlertBasis | undefined;
  readonly profile: AthleteProfile;
  readonly roms: RecentRoms;
  /** The station's console state. */
  readonly station: LiveStation | undefined;
}

/** Reads of the pipeline's state in Redis (written by ingest and the worker). */
export interface AlertState {
  /** The athlete's basis, profile and recent ROMs for the exercise, and the station's console state. */
  closeInputs(athleteId: string, exercise: string, gymId: string, stationId: string): Promise<CloseInputs>;
  /** The gym's sets whose reps changed since their last in-set pass (marked by the worker). */
  inSetPending(gymId: string): Promise<InSetPending>;
  /** Removes the marks a pass read, unless a rep batch bumped them meanwhile (then the next pass looks again). */
  clearInSetPending(gymId: string, marks: ReadonlyMap<string, string>): Promise<void>;
  /** The in-set inputs of many sets in two round trips, in the order asked. */
  inSetInputs(sets: readonly SetRef[]): Promise<InSetInputs[]>;
  /** The set open on a station now, if any. */
  openSet(stationId: string): Promise<OpenSet | undefined>;
  /** Saves the basis and the ROMs it came from (the latest sets' ROMs), in one step. */
  saveBasis(athleteId: string, exercise: string, basis: AlertBasis, roms: RecentRoms): Promise<void>;
  /** Athletes with a set at the gym since `sinceMs`. */
  activeAthletes(gymId: string, sinceMs: number): Promise<string[]>;
  /** Gyms that have had a set. */
  knownGyms(): Promise<string[]>;
}

/** The live console's state (Redis hash + pub/sub). */
export interface LiveBoard {
  station(gymId: string, stationId: string): Promise<LiveStation | undefined>;
  /** Stores the stations' console state and publishes each (one round trip). */
  putStations(stations: readonly LiveStation[]): Promise<void>;
  pushAlert(alert: AlertMessage): Promise<void>;
}

export type ClaimOutcome = 'new' | 'claimed' | 'cooldown';
export type DeliveryChannel = 'mqtt' | 'live' | 'tsdb' | 'webhook';

/** Which channels an alert has reached: each is delivered once however often its job runs. */
export interface DeliveryLedger {
  /** `claimed`: an earlier run owns it (deliver what is missing); `cooldown`: (athlete, rule) fired recently. */
  claim(alert: AlertMessage, cooldownMs: number, now: number): Promise<ClaimOutcome>;
  delivered(alertId: string): Promise<ReadonlySet<DeliveryChannel>>;
  mark(alertId: string, channel: DeliveryChannel): Promise<void>;
}

export interface AlertPublisher {
  /** Publishes at QoS 1; resolves on the broker's PUBACK. */
  publish(topic: string, payload: string): Promise<void>;
}

export interface AlertQueues {
  /** One delivery job per alert (job id = alert id: enqueued once). */
  deliver(alerts: readonly AlertMessage[]): Promise<void>;
  webhook(alert: AlertMessage): Promise<void>;
  /** A check to run at `atMs` (session end); the same job id is enqueued once. */
  later(check: AlertCheckJob, jobId: string, atMs: number): Promise<void>;
}
