// Differential inverse kinematics for the common action space: turns an end-effector target pose into arm joint
// targets by damped least squares on MuJoCo's site Jacobian, iterated on a scratch copy of the kinematics, with
// joint-limit clamping, orientation weighted per embodiment (so arms with fewer DoF track orientation best-effort)
// and, for redundant arms, a null-space pull toward the home posture.
import type { MainModule, MjModel, MjData } from '../mujoco.ts';
import { quatFromMat, rotationError } from './rotation.ts';
import { solve } from './linalg.ts';

export interface IkArm {
  siteId: number;
  qposAdr: number[];
  dofAdr: number[];
  lower: number[];
  upper: number[];
  home: number[];
  orientationWeight: number;
}

export interface IkOptions { iterations?: number; damping?: number; maxStep?: number; nullGain?: number }

export class DiffIk {
  private readonly scratch: MjData;
  private readonly jacp: ReturnType<MainModule['DoubleBuffer']['FromArray']>;
  private readonly jacr: ReturnType<MainModule['DoubleBuffer']['FromArray']>;
  constructor(private readonly mj: MainModule, private readonly model: MjModel, private readonly arm: IkArm, private readonly opts: IkOptions = {}) {
    this.scratch = new mj.MjData(model);
    this.jacp = new mj.DoubleBuffer(3 * model.nv);
    this.jacr = new mj.DoubleBuffer(3 * model.nv);
  }

  /**
   * Joint targets that bring the end-effector site to (pos, quat), starting from the state in `live` (kinematics
   * computed, as after mj_step or mj_forward; it is not modified).
   * Returns the targets and the remaining position error (m) and orientation error (rad).
   */
  solve(live: MjData, pos: readonly number[], quat: readonly number[]): { q: number[]; posError: number; rotError: number } {
    const { mj, model, arm } = this;
    const qpos = live.qpos as Float64Array;
    let d = live; // the first iteration linearizes at the live state (its kinematics are current after mj_step)
    const n = arm.qposAdr.length;
    const lambda = this.opts.damping ?? 0.05, maxStep = this.opts.maxStep ?? 0.25, nullGain = this.opts.nullGain ?? 0.1;
    const w = arm.orientationWeight;
    let q = arm.qposAdr.map((a) => qpos[a]!);
    let posError = Infinity, rotError = Infinity;
    for (let it = 0; it < (this.opts.iterations ?? 1); it++) {
      if (it > 0) {
        // later iterations re-linearize at the candidate joints on a scratch copy of the kinematics
        if (d === live) { d = this.scratch; (d.qpos as Float64Array).set(qpos); }
        const dq = d.qpos as Float64Array;
        arm.qposAdr.forEach((a, i) => { dq[a] = q[i]!; });
        mj.mj_kinematics(model, d);
        mj.mj_comPos(model, d);
      }
      const sp = (d.site_xpos as Float64Array).subarray(3 * arm.siteId, 3 * arm.siteId + 3);
      const cur = quatFromMat(d.site_xmat as Float64Array, 9 * arm.siteId);
      const ep = [pos[0]! - sp[0]!, pos[1]! - sp[1]!, pos[2]! - sp[2]!];
      const er = rotationError(quat, cur);
      posError = Math.hypot(...ep);
      rotError = Math.hypot(...er);
      // at the target: done, unless a redundant arm still has posture to recover in the null space
      if (posError < 2e-4 && rotError < 2e-3 && (n <= 6 || q.every((qi, i) => Math.abs(arm.home[i]! - qi) < 1e-3))) break;
      mj.mj_jacSite(model, d, this.jacp, this.jacr, arm.siteId);
      const jp = this.jacp.GetView() as Float64Array, jr = this.jacr.GetView() as Float64Array;
      const nv = model.nv;
      // J (6 x n): position rows, then weighted rotation rows
      const J = new Float64Array(6 * n);
      for (let i = 0; i < n; i++) {
        const c = arm.dofAdr[i]!;
        for (let r = 0; r < 3; r++) { J[r * n + i] = jp[r * nv + c]!; J[(r + 3) * n + i] = w * jr[r * nv + c]!; }
      }
      const e = [...ep, w * er[0], w * er[1], w * er[2]];
      // dq = J^T (J J^T + lambda^2 I)^-1 e
      const JJt = new Float64Array(36);
      for (let a = 0; a < 6; a++) for (let b = 0; b < 6; b++) {
        let s = a === b ? lambda * lambda : 0;
        for (let k = 0; k < n; k++) s += J[a * n + k]! * J[b * n + k]!;
        JJt[a * 6 + b] = s;
      }
      const y = solve(JJt, e, 6);
      const step = new Array<number>(n).fill(0);
      for (let k = 0; k < n; k++) for (let a = 0; a < 6; a++) step[k]! += J[a * n + k]! * y[a]!;
      if (n > 6) {
        // null-space pull toward home: (I - J^+ J) z, with J^+ = J^T (J J^T + l^2 I)^-1
        const z = q.map((qi, i) => nullGain * (arm.home[i]! - qi));
        const Jz = new Array<number>(6).fill(0);
        for (let a = 0; a < 6; a++) for (let k = 0; k < n; k++) Jz[a]! += J[a * n + k]! * z[k]!;
        const yz = solve(JJt, Jz, 6);
        for (let k = 0; k < n; k++) {
          let proj = 0;
          for (let a = 0; a < 6; a++) proj += J[a * n + k]! * yz[a]!;
          step[k]! += z[k]! - proj;
        }
      }
      const norm = Math.hypot(...step);
      const scale = norm > maxStep ? maxStep / norm : 1;
      q = q.map((qi, i) => Math.min(arm.upper[i]!, Math.max(arm.lower[i]!, qi + scale * step[i]!)));
    }
    return { q, posError, rotError };
  }

  dispose(): void {
    this.scratch.delete();
    this.jacp.delete();
    this.jacr.delete();
  }
}
