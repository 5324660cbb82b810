export { startSimulation, type PublishedEvent, type Simulation, type SimulationOptions, type SimulationOverrides, type SimulationSummary } from './simulator.js';
export {
  planGym,
  createAthlete,
  type PlanGymOptions,
  type PlannedSet,
  type RepPlan,
  type SetPlan,
  type SimAthlete,
  type SimStation,
  type StationTimeline,
  type StatusPlan,
  type TimelineEvent,
} from './gym-model.js';
export { EXERCISES, type ExerciseProfile } from './exercises.js';
export { planReps, planScheme, plannedVelocityLoss, repsToFailure, VELOCITY_LOSS_RANGE, type PlannedRep, type SetScheme } from './set-plan.js';
export { mulberry32, hashString, type Random } from './prng.js';
export { loadSimConfig, SimConfigSchema, type SimConfig } from './config.js';
