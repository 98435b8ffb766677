// The safety shield's public face: limits (per embodiment, validated) and the pure shield functions.
export { ShieldLimits, parseShieldLimits, defaultShieldLimits, jointRanges, DEFAULTS as SHIELD_DEFAULTS, type ShieldLimitsInput } from './limits.ts';
export {
  shieldAction, shieldChunk, holdStep, chunkStartState, initialShieldState, resetShield, robotStateFromObservation, formatIntervention, ShieldError,
  type Intervention, type InterventionKind, type RobotState, type ShieldState, type ShieldResult, type ChunkResult,
} from './shield.ts';
export { toFloat32, f32TowardZero, f32Within } from './float32.ts';
