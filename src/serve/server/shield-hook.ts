// The server's use of the safety shield (src/serve/shield): every chunk passes shieldChunk for the robot state the
// observation reports (EE position, joints, gripper, wrench) with the embodiment's limits, before it leaves. The
// shield state lives per connection: the wrench-stop latch and counts carry from chunk to chunk (only a new
// connection starts clean: a client's `reset` does not clear a stop), the rate memory starts unknown at each chunk
// (the robot executes only part of a chunk). The result message gets a `shield` entry (openpi clients ignore it).
import type { Observation } from '../../sim/observation.ts';
import {
  chunkStartState, defaultShieldLimits, initialShieldState, robotStateFromObservation, shieldChunk, formatIntervention,
  type ShieldLimits, type ShieldLimitsInput, type ShieldState,
} from '../shield/index.ts';
import type { DeepPartial } from '../shield/limits.ts';
import type { ChunkShield, ConnectionInfo } from './server.ts';

/** Per-embodiment overrides of the default limits (e.g. a --shield-limits JSON file). */
export type ShieldOverrides = Record<string, DeepPartial<ShieldLimitsInput>>;

/** A ChunkShield with the default limits of each embodiment (overridden where given); limits are built once here. */
export async function createShieldHook(embodiments: readonly string[], overrides: ShieldOverrides = {}): Promise<ChunkShield> {
  for (const e of Object.keys(overrides)) if (!embodiments.includes(e)) throw new Error(`shield limits: '${e}' is not an embodiment the model drives (${embodiments.join(', ')})`);
  const limits = new Map<string, ShieldLimits>();
  for (const e of embodiments) limits.set(e, await defaultShieldLimits(e, overrides[e] ?? {}));
  return (chunk: Float32Array[], obs: Observation, conn: ConnectionInfo) => {
    const l = limits.get(obs.embodiment);
    if (!l) throw new Error(`shield: no limits for embodiment '${obs.embodiment}'`);
    const key = `shield:${obs.embodiment}`;
    const prev = conn.state.get(key) as ShieldState | undefined;
    const r = shieldChunk(chunk, robotStateFromObservation(obs), l, chunkStartState(prev ?? initialShieldState(l)));
    conn.state.set(key, r.state);
    const kinds: Record<string, number> = {};
    for (const i of r.interventions) kinds[i.kind] = (kinds[i.kind] ?? 0) + 1;
    return {
      chunk: r.chunk.map((a) => Float32Array.from(a)),
      report: { interventions: r.interventions.length, kinds, stopped: r.state.stop?.reason ?? null, first: r.interventions[0] ? formatIntervention(r.interventions[0]) : null },
    };
  };
}
