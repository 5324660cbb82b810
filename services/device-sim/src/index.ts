export { startSimulation, type PublishedEvent, type Simulation, type SimulatedClient, type SimulationOptions, type SimulationOverrides, type SimulationSummary } from './simulator.js';
export {
  planGym,
  createAthlete,
  type PlanGymOptions,
  type PlannedSet,
  type HrBlockPlan,
  type ImuBlockPlan,
  type SimDevice,
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
export { heartRateProfile, planHeartRate, setEffort, type EffortInterval, type HeartRateBlock, type HeartRateProfile } from './heart-rate-model.js';
export { BAR_IMU_BLOCK_SAMPLES, BAR_IMU_HZ, barImuSamples, planBarImuSet, type BarImuSamples, type BarImuSet } from './bar-imu.js';
