// Grasp helpers shared by the care experts: how far to open the gripper before closing on a cylinder of a given
// radius (so the open fingers do not sweep the neighbours), and the height to grasp it at.
import type { EmbodimentSpec } from '../../embodiments/schema.ts';

/**
 * The gripper command (0 open .. 1 closed) that leaves each finger ~1.5 cm clear of a cylinder of `radius` (kara's
 * finger joint is the pad's inner face's distance from the centre); fully open on arms we do not know that of.
 */
export function preshape(e: EmbodimentSpec, radius: number): number {
  if (e.id !== 'kara6' && e.id !== 'kara7') return 0;
  const { open, closed } = e.gripper;
  const want = Math.min(open, radius + 0.015);
  return Math.max(0, Math.min(1, (want - open) / (closed - open)));
}

/** End-effector height (world z) for grasping an upright cylinder of half-height `hh` standing at `base` z. */
export const graspHeight = (base: number, hh: number): number => base + hh * 0.9;
