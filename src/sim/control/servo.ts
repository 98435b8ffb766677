// Joint targets to position-actuator commands. A position servo (force = kp (ctrl - q) - kv qdot) sags under load:
// it needs an offset of tau/kp to hold a joint where it should be. This feed-forward adds, for every arm joint, the
// gravity and Coriolis torque MuJoCo computes (qfrc_bias, less whatever the model's own gravcomp already cancels)
// divided by the actuator's kp, so arms without gravity compensation (e.g. the Menagerie WidowX, kp = 50) reach
// their joint targets instead of hanging centimetres below them.
import type { MainModule, MjModel, MjData } from '../mujoco.ts';

export interface ServoArm { actuators: number[]; dofs: number[] }

export class PositionServos {
  private readonly kp: number[];
  private readonly kv: number[];
  private readonly lo: number[];
  private readonly hi: number[];

  constructor(mj: MainModule, private readonly model: MjModel, private readonly arm: ServoArm) {
    const gain = model.actuator_gainprm as Float64Array, bias = model.actuator_biasprm as Float64Array;
    // (actuator_ctrllimited, a bool array, is not readable through the bindings; an unlimited actuator's range is 0 0)
    const range = model.actuator_ctrlrange as Float64Array;
    const limited = (a: number) => range[2 * a]! < range[2 * a + 1]!;
    const G = gain.length / model.nu, B = bias.length / model.nu;
    this.kp = arm.actuators.map((a) => {
      const kp = gain[G * a]!;
      if (!(kp > 0) || Math.abs(bias[B * a + 1]! + kp) > 1e-9 * kp) {
        const name = mj.mj_id2name(model, mj.mjtObj.mjOBJ_ACTUATOR.value, a);
        throw new Error(`actuator '${name}' is not a position servo (gain ${kp}, bias ${bias[B * a + 1]}); arm actuators must be <position> actuators`);
      }
      return kp;
    });
    this.kv = arm.actuators.map((a) => -bias[B * a + 2]!);
    this.lo = arm.actuators.map((a) => (limited(a) ? range[2 * a]! : -Infinity));
    this.hi = arm.actuators.map((a) => (limited(a) ? range[2 * a + 1]! : Infinity));
  }

  /**
   * Writes ctrl for the arm actuators so that the joints settle at `q` (clamped to the actuators' ctrlrange). With
   * `qdot`, the joints' intended velocity, the servo's damping (kv, which pulls toward zero speed) is fed forward too,
   * so a moving target is not trailed by kv qdot / kp (several centimetres on the WidowX at 0.2 m/s).
   */
  command(d: MjData, q: ArrayLike<number>, qdot?: ArrayLike<number>): void {
    const ctrl = d.ctrl as Float64Array, bias = d.qfrc_bias as Float64Array, gc = d.qfrc_gravcomp as Float64Array;
    this.arm.actuators.forEach((a, i) => {
      const dof = this.arm.dofs[i]!;
      const tau = bias[dof]! - gc[dof]!;
      ctrl[a] = Math.min(this.hi[i]!, Math.max(this.lo[i]!, q[i]! + (tau + this.kv[i]! * (qdot?.[i] ?? 0)) / this.kp[i]!));
    });
  }
}
