import type { AthleteProfile } from '@neurolift/contracts';

export interface DeadLetterView {
  readonly topic: string;
  readonly reason: string;
  readonly detail?: string;
  readonly payload: string;
  readonly receivedAt: string;
}

export interface DeadLetterReader {
  list(limit: number): Promise<{ total: number; byReason: Record<string, number>; items: DeadLetterView[] }>;
}

export interface ProfileStore {
  get(athleteId: string): Promise<AthleteProfile | undefined>;
  put(athleteId: string, profile: AthleteProfile): Promise<void>;
}
