// MJCF for Karakuri's own arm designs, generated from a short list of links: primitive geoms, hinge joints with
// limits, position actuators, and a parallel-jaw gripper of two slide fingers coupled by an equality constraint.
// Grasping is by friction only (no welds). Everything sits in the arm's own name space ("<id>/...").

export interface ArmLink {
  /** Offset of this link's frame from its parent's, and the joint axis in the link frame. */
  pos: [number, number, number];
  axis: [number, number, number];
  range: [number, number];
  /** The link's visual/collision capsule, along +z from the joint, and its radius. */
  length: number;
  radius: number;
  /** Position-actuator stiffness (N m / rad). */
  kp: number;
}

export interface ArmDesign {
  id: string;
  baseHeight: number;
  links: ArmLink[];
  color: [number, number, number];
}

const f = (v: number[]) => v.map((x) => +x.toFixed(5)).join(' ');

/** The arm's MJCF (a complete <mujoco> file meant to be <include>d into a world). */
export function ownArmMjcf(d: ArmDesign): string {
  const p = `${d.id}/`;
  const rgba = `${f(d.color)} 1`;
  let bodies = '';
  let close = '';
  d.links.forEach((l, i) => {
    const n = i + 1;
    bodies += `
    <body name="${p}link${n}" pos="${f(l.pos)}" gravcomp="1">
      <joint name="${p}j${n}" axis="${f(l.axis)}" range="${f(l.range)}"/>
      <geom class="${p}link" type="capsule" fromto="0 0 0 0 0 ${l.length}" size="${l.radius}" rgba="${i % 2 ? '0.85 0.85 0.85 1' : rgba}"/>`;
    close = `
    </body>${close}`;
  });
  const last = d.links.length;
  const hand = `
      <body name="${p}hand" pos="0 0 ${d.links[last - 1]!.length}" gravcomp="1">
        <geom class="${p}link" type="box" size="0.025 0.055 0.012" pos="0 0 0.012" rgba="0.2 0.2 0.22 1"/>
        <site name="${p}tcp" pos="0 0 0.085" size="0.006" group="4"/>
        <body name="${p}left_finger" pos="0 0 0.024" gravcomp="1">
          <joint name="${p}left_finger" type="slide" axis="0 1 0" range="0 0.045" damping="5"/>
          <geom name="${p}left_pad" type="box" size="0.012 0.006 0.03" pos="0 0.006 0.03" rgba="0.1 0.1 0.1 1" friction="1.5 0.02 0.001" condim="4" solref="0.01 1"/>
        </body>
        <body name="${p}right_finger" pos="0 0 0.024" gravcomp="1">
          <joint name="${p}right_finger" type="slide" axis="0 -1 0" range="0 0.045" damping="5"/>
          <geom name="${p}right_pad" type="box" size="0.012 0.006 0.03" pos="0 -0.006 0.03" rgba="0.1 0.1 0.1 1" friction="1.5 0.02 0.001" condim="4" solref="0.01 1"/>
        </body>
      </body>`;
  const actuators = d.links.map((l, i) => `    <position name="${p}a${i + 1}" joint="${p}j${i + 1}" kp="${l.kp}" kv="${+(l.kp / 40).toFixed(2)}" ctrlrange="${f(l.range)}" forcerange="-${l.kp / 2} ${l.kp / 2}"/>`).join('\n');
  return `<mujoco model="${d.id}">
  <compiler angle="radian" autolimits="true"/>
  <default>
    <joint damping="1" armature="0.05"/>
    <geom density="600" friction="1 0.01 0.001"/>
    <!-- the links' primitive shapes overlap at the joints: links collide with the world and the fingers, not each other -->
    <default class="${p}link"><geom contype="2" conaffinity="1"/></default>
  </default>
  <worldbody>
    <body name="${p}base" pos="0 0 0">
      <geom class="${p}link" type="cylinder" fromto="0 0 0 0 0 ${d.baseHeight}" size="0.07" rgba="0.25 0.25 0.3 1"/>
      <body name="${p}mount" pos="0 0 ${d.baseHeight}">${bodies}${hand}${close}
      </body>
    </body>
  </worldbody>
  <contact>
    <exclude body1="${p}base" body2="${p}link1"/>
    <exclude body1="${p}left_finger" body2="${p}right_finger"/>
  </contact>
  <equality>
    <joint joint1="${p}left_finger" joint2="${p}right_finger" polycoef="0 1 0 0 0" solref="0.005 1"/>
  </equality>
  <actuator>
${actuators}
    <position name="${p}gripper" joint="${p}left_finger" kp="400" kv="20" ctrlrange="0 0.045" forcerange="-40 40"/>
  </actuator>
</mujoco>`;
}
