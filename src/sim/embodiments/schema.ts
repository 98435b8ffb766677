// What an embodiment is, as data: where its MJCF comes from and which of its joints, actuators and bodies play
// which role. Adding a Menagerie-style arm needs only one of these (validated with zod), no code.
import { z } from 'zod';
import { parseWith } from '../../validation.ts';

const Vec3 = z.tuple([z.number(), z.number(), z.number()]);

export const EmbodimentSpec = z.object({
  /** Short stable id, recorded with every episode (e.g. "kara6", "widowx250"). */
  id: z.string().regex(/^[a-z][a-z0-9_-]*$/),
  maker: z.string(),
  /** The arm's MJCF: a file inside a folder (meshes and textures beside it go to the VFS), or generated XML. */
  mjcf: z.union([
    z.object({ folder: z.string(), file: z.string() }).strict(),
    z.object({ xml: z.string() }).strict(),
  ]),
  /** Arm joints, base to wrist, and the position actuators that drive them (same order). */
  armJoints: z.array(z.string()).min(3),
  armActuators: z.array(z.string()).min(3),
  /** Joint angles of the home posture (same order as armJoints). */
  home: z.array(z.number()),
  /** The end-effector point between the fingertips: a site of the MJCF, or a body and an offset in its frame. */
  endEffector: z.union([z.object({ site: z.string() }).strict(), z.object({ body: z.string(), pos: Vec3.default([0, 0, 0]) }).strict()]),
  gripper: z.object({
    actuator: z.string(),
    /** Actuator commands for fully open and fully closed. */
    open: z.number(),
    closed: z.number(),
    /** The finger joints (the first is the one the opening is read from) and finger bodies (touch sensors go there). */
    joints: z.array(z.string()).min(1),
    fingerBodies: z.array(z.string()).length(2),
    /** Where the touch-sensor zone sits in each finger body's frame, and its half-size. */
    padPos: z.array(Vec3).length(2),
    padSize: Vec3,
  }).strict(),
  /**
   * The body that carries the wrist camera and force/torque sensor, and the camera's pose in it: its position and
   * either the point it looks at and the body axis that is "up" in the image, or MuJoCo xyaxes (camera looks along -z).
   */
  wrist: z.object({
    body: z.string(),
    cameraPos: Vec3,
    cameraLookAt: Vec3.optional(),
    cameraUp: Vec3.default([0, 0, 1]),
    cameraXyaxes: z.tuple([z.number(), z.number(), z.number(), z.number(), z.number(), z.number()]).optional(),
    fovy: z.number().positive().max(170).default(75),
  }).strict().refine((w) => (w.cameraLookAt === undefined) !== (w.cameraXyaxes === undefined), { message: 'give exactly one of cameraLookAt and cameraXyaxes' }),
  /** Where objects are placed on the table for this arm (table top is z = 0; the arm base is at the origin). */
  workspace: z.object({ center: Vec3, halfExtent: Vec3 }).strict().default({ center: [0.4, 0, 0], halfExtent: [0.08, 0.12, 0] }),
  /** Weight of orientation error in the IK (arms with fewer DoF get best-effort orientation). */
  orientationWeight: z.number().min(0).max(1).default(0.5),
}).strict().superRefine((e, ctx) => {
  if (e.armJoints.length !== e.armActuators.length) ctx.addIssue({ code: 'custom', message: `armJoints (${e.armJoints.length}) and armActuators (${e.armActuators.length}) differ in length` });
  if (e.home.length !== e.armJoints.length) ctx.addIssue({ code: 'custom', message: `home has ${e.home.length} values for ${e.armJoints.length} arm joints` });
});
export type EmbodimentSpec = z.output<typeof EmbodimentSpec>;
export type EmbodimentInput = z.input<typeof EmbodimentSpec>;

export function parseEmbodiment(raw: unknown, source: string): EmbodimentSpec {
  return parseWith(EmbodimentSpec, raw, `embodiment ${source}`, 'description');
}
