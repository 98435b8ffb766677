// What the env shows a policy at each control step, and the privileged ground truth kept apart from it.
export interface CameraFrame {
  /** uint8 RGB, H x W x 3, row-major, top row first. */
  rgb: Uint8Array;
  /** float32 metric depth along the optical axis, H x W (metres). */
  depth: Float32Array;
}

export interface Proprioception {
  jointPos: Float64Array;
  jointVel: Float64Array;
  /** End-effector position (m, world) and orientation (quaternion w, x, y, z). */
  eePos: [number, number, number];
  eeQuat: [number, number, number, number];
  /** 0 = fully closed, 1 = fully open. */
  gripper: number;
}

export interface Observation {
  embodiment: string;
  /** Natural-language instruction of the task, when the env has one. */
  instruction: string;
  /** Per camera, the last `history` frames, oldest first (the newest is the current view). */
  images: Record<string, CameraFrame[]>;
  proprio: Proprioception;
  /** Wrist force (N) and torque (N m) in the sensor site's frame. */
  wrench: { force: [number, number, number]; torque: [number, number, number] };
  /** Finger-pad touch (normal force, N): left, right. */
  touch: [number, number];
  time: number;
}

/** What a task says privately about its episode: the target object, the goal, the distractors, ... (JSON-like). */
export type TaskState = Record<string, string | number | boolean | number[] | string[]>;

/** Ground truth for experts, success checks and auxiliary targets; never part of a policy's input. */
export interface PrivilegedState {
  /** World poses of the objects and the task's tracked bodies (quaternion w, x, y, z). */
  objects: Record<string, { pos: [number, number, number]; quat: [number, number, number, number] }>;
  /** Objects (or tracked bodies) in contact with both fingers while both finger pads sense a touch. */
  grasped: string[];
  /** Where the controller currently tries to put the end effector. */
  eeTarget: { pos: [number, number, number]; quat: [number, number, number, number] };
  /** Readings of the task's own sensors (EnvConfig.sensorMjcf), by sensor name. */
  sensors: Record<string, number[]>;
  /** The episode's task facts (from the task's episode hook; {} without one). */
  task: TaskState;
  /** Control steps since reset. */
  step: number;
}

export interface StepResult {
  observation: Observation;
  privileged: PrivilegedState;
  terminated: boolean;
  truncated: boolean;
  info: {
    step: number; ikPosError: number; ikRotError: number; success: boolean; clampedActions: number;
    /** The joint-space action this step amounted to: arm joint targets (rad) sent to the servos, then the gripper command 0..1. */
    jointTargets: number[];
    /** With EnvConfig.actionNoise: the action actually executed (the commanded one plus the perturbation). */
    executedAction?: number[];
  };
}
