// Self-contained MJCF scenes for the renderer benchmark and tests: a table with a 6-joint arm built from
// capsules, cylinders and boxes, and N objects (plates, cups, boxes, spheres, capsules) on the table top.

/** A table-top scene with an arm and `objects` free objects; cameras "front", "top" and "wrist". */
export function tableArmScene(objects = 12): string {
  const palette = ['0.85 0.2 0.2 1', '0.2 0.6 0.9 1', '0.95 0.8 0.2 1', '0.3 0.75 0.35 1', '0.9 0.5 0.1 1', '0.6 0.35 0.8 1', '0.95 0.95 0.95 1'];
  const kinds = ['plate', 'cup', 'box', 'sphere', 'capsule', 'box'];
  const cols = Math.ceil(Math.sqrt(objects * 1.6));
  const rows = Math.ceil(objects / cols);
  const s = Math.min(1, 6 / cols); // shrink objects when there are many
  const body: string[] = [];
  for (let i = 0; i < objects; i++) {
    const c = i % cols, r = Math.floor(i / cols);
    const x = 0.05 + (0.45 * (r + 0.5)) / rows, y = -0.45 + (0.9 * (c + 0.5)) / cols;
    const rgba = palette[i % palette.length]!, kind = kinds[i % kinds.length]!;
    let geom: string, z: number;
    switch (kind) {
      case 'plate': geom = `<geom type="cylinder" size="${0.05 * s} ${0.006 * s}" rgba="${rgba}"/>`; z = 0.006 * s; break;
      case 'cup': geom = `<geom type="cylinder" size="${0.03 * s} ${0.04 * s}" rgba="${rgba}"/><geom type="capsule" pos="${0.035 * s} 0 0" size="${0.008 * s} ${0.02 * s}" rgba="${rgba}"/>`; z = 0.04 * s; break;
      case 'box': geom = `<geom type="box" size="${0.025 * s} ${0.03 * s} ${0.025 * s}" rgba="${rgba}"/>`; z = 0.025 * s; break;
      case 'sphere': geom = `<geom type="sphere" size="${0.03 * s}" rgba="${rgba}"/>`; z = 0.03 * s; break;
      default: geom = `<geom type="capsule" size="${0.015 * s} ${0.03 * s}" euler="0 90 0" rgba="${rgba}"/>`; z = 0.015 * s; break;
    }
    body.push(`<body name="obj${i}" pos="${x.toFixed(4)} ${y.toFixed(4)} ${(0.75 + z + 0.001).toFixed(4)}"><freejoint/>${geom}</body>`);
  }
  return `<mujoco model="table_arm_${objects}">
  <visual><headlight ambient="0.25 0.25 0.25" diffuse="0.45 0.45 0.45" specular="0.1 0.1 0.1"/></visual>
  <asset><material name="wood" rgba="0.55 0.4 0.25 1" specular="0.1"/><material name="metal" rgba="0.7 0.72 0.75 1" specular="0.6" shininess="0.6"/></asset>
  <worldbody>
    <light name="key" pos="0.3 -0.6 2.2" dir="-0.1 0.3 -1" diffuse="0.6 0.6 0.6" cutoff="60" exponent="2"/>
    <light name="sun" directional="true" pos="0 0 3" dir="0.3 0.2 -1" diffuse="0.25 0.25 0.25"/>
    <geom name="floor" type="plane" size="0 0 0.05" rgba="0.4 0.45 0.5 1"/>
    <camera name="front" pos="1.25 0 1.45" xyaxes="0 1 0 -0.6 0 0.8" fovy="55"/>
    <camera name="top" pos="0.2 0 2.3" xyaxes="0 1 0 -1 0 0" fovy="45"/>
    <body name="table" pos="0.2 0 0">
      <geom name="top" type="box" pos="0 0 0.73" size="0.45 0.6 0.02" material="wood"/>
      <geom type="cylinder" pos="0.4 0.55 0.355" size="0.025 0.355" material="wood"/>
      <geom type="cylinder" pos="-0.4 0.55 0.355" size="0.025 0.355" material="wood"/>
      <geom type="cylinder" pos="0.4 -0.55 0.355" size="0.025 0.355" material="wood"/>
      <geom type="cylinder" pos="-0.4 -0.55 0.355" size="0.025 0.355" material="wood"/>
    </body>
    <body name="base" pos="-0.15 0 0.75">
      <geom type="cylinder" size="0.07 0.03" pos="0 0 0.03" rgba="0.15 0.15 0.17 1"/>
      <body name="link1" pos="0 0 0.06">
        <joint name="j1" axis="0 0 1"/>
        <geom type="cylinder" size="0.05 0.05" pos="0 0 0.05" material="metal"/>
        <body name="link2" pos="0 0 0.1" euler="0 35 0">
          <joint name="j2" axis="0 1 0"/>
          <geom type="capsule" fromto="0 0 0 0 0 0.28" size="0.04" rgba="0.9 0.45 0.1 1"/>
          <body name="link3" pos="0 0 0.28" euler="0 75 0">
            <joint name="j3" axis="0 1 0"/>
            <geom type="capsule" fromto="0 0 0 0 0 0.24" size="0.035" rgba="0.9 0.45 0.1 1"/>
            <body name="link4" pos="0 0 0.24" euler="0 40 0">
              <joint name="j4" axis="0 1 0"/>
              <geom type="cylinder" size="0.03 0.04" pos="0 0 0.04" material="metal"/>
              <body name="link5" pos="0 0 0.08">
                <joint name="j5" axis="0 0 1"/>
                <geom type="box" size="0.03 0.05 0.015" pos="0 0 0.015" rgba="0.15 0.15 0.17 1"/>
                <camera name="wrist" pos="0.05 0 0.0" xyaxes="0 1 0 1 0 0" fovy="70"/>
                <body name="finger_l" pos="0 0.03 0.03"><joint name="jl" type="slide" axis="0 1 0" range="0 0.03"/><geom type="box" size="0.008 0.006 0.03" pos="0 0 0.03" material="metal"/></body>
                <body name="finger_r" pos="0 -0.03 0.03"><joint name="jr" type="slide" axis="0 -1 0" range="0 0.03"/><geom type="box" size="0.008 0.006 0.03" pos="0 0 0.03" material="metal"/></body>
              </body>
            </body>
          </body>
        </body>
      </body>
    </body>
    ${body.join('\n    ')}
  </worldbody>
</mujoco>`;
}
