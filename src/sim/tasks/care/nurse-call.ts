// Task 'nurse-call': press the nurse-call button (a round spring-loaded button with a touch sensor on its cap) and
// not the light switch beside it (a square one of another colour, with its own sensor). Success is read from the
// call button's sensor (a press of at least PRESS_THRESHOLD N), never from a position. Both move every episode; the
// instruction names the call button by colour or by what it does ("call the nurse").
import type { TaskDefinition, TaskInstance } from '../types.ts';
import type { PrivilegedState } from '../../observation.ts';
import { phrase } from '../language.ts';
import { COLOURS, choose, parked, sample, scatter, setColour, type ColourName } from '../randomize.ts';
import { runWaypoints, type Waypoint } from '../../experts/waypoints.ts';
import { buttonForce, buttonSensor } from '../parts/push-button.ts';
import { moveStatic } from '../parts/static-body.ts';
import { BUTTON_TOP, CALL_BUTTON, ITEMS, LIGHT_SWITCH, PRESS_THRESHOLD, careScene, jitterScene, layout, placeFurniture, type Vec3 } from './scene.ts';

const BUTTON_COLOURS: readonly ColourName[] = ['red', 'orange', 'yellow', 'blue', 'green', 'white'];

export const templates = {
  train: [
    '{please}press the {button}.',
    'Push the {button}.',
    '{please}call the nurse with the {button}.',
    'Ring for the nurse using the {button}.',
    'Press down on the {button} to call the nurse.',
    'The patient needs help: press the {button}.',
    '{please}call the nurse.',
  ],
  heldout: [
    'Ring for the nurse.',
    'Summon a nurse with the {button}.',
    'Could you page the nurse by pushing the {button}?',
    'Tap the {button} so that a nurse comes.',
  ],
} as const;

/**
 * Rung: the call button's sensor (s.task.sensor) reads at least s.task.threshold N while the distractor's
 * (s.task.distractorSensor) does not (pressing the light switch, or both at once, is not a call).
 */
export function nurseCalled(s: PrivilegedState): boolean {
  const t = s.task, threshold = t.threshold as number;
  const call = s.sensors[t.sensor as string]?.[0] ?? 0, other = s.sensors[t.distractorSensor as string]?.[0] ?? 0;
  return call >= threshold && other < threshold;
}

export const nurseCall: TaskDefinition = {
  id: 'nurse-call',
  sector: 'care',
  summary: 'Press the nurse-call button (read from its touch sensor), not the light switch beside it.',
  embodiments: ['kara6', 'kara7'],
  maxSteps: 150,
  templates,
  scene: (e) => careScene(e, { buttons: true }),
  create(e, opts): TaskInstance {
    const l = layout(e);
    return {
      episode(rng, env) {
        jitterScene(env, rng);
        const { table } = placeFurniture(env, rng, l);
        const [callColour, switchColour] = sample(rng, BUTTON_COLOURS, 2) as [ColourName, ColourName];
        setColour(env, `${CALL_BUTTON.name}/cap`, COLOURS[callColour]);
        setColour(env, `${LIGHT_SWITCH.name}/cap`, COLOURS[switchColour]);
        const [a, b] = scatter(rng, l.buttons, [0.035, 0.035], 0.04) as [[number, number], [number, number]];
        moveStatic(env, CALL_BUTTON.name, [...a, 0]);
        moveStatic(env, LIGHT_SWITCH.name, [...b, 0], (rng() * 2 - 1) * 0.4);
        // a pill bottle and a cup stand on the bedside table; the others wait out of view
        const [pill, cup] = [choose(rng, ITEMS.filter((i) => i.kind === 'pill')), choose(rng, ITEMS.filter((i) => i.kind === 'cup'))];
        const placement: Record<string, { pos: Vec3; yaw: number }> = {};
        const side = rng() < 0.5 ? 1 : -1, dy = l.bedside.halfY * 0.5;
        placement[pill!.name] = { pos: [table[0] - 0.02, table[1] + side * dy, table[2] + l.sizes.pill[1] + 0.001], yaw: 0 };
        placement[cup!.name] = { pos: [table[0] + 0.01, table[1] - side * dy * 0.6, table[2] + l.sizes.cup[1] + 0.001], yaw: 0 };
        ITEMS.forEach((it, i) => {
          setColour(env, it.name, COLOURS[choose(rng, ['white', 'orange', 'blue', 'green'] as const)]);
          placement[it.name] ??= parked(i, l.sizes[it.kind][1]);
        });
        const names = [`${callColour} call button`, `${callColour} nurse-call button`, 'call button', 'nurse call button', `${callColour} button`];
        const instruction = phrase(rng, templates[opts.phrasing], { button: names });
        return {
          placement, instruction,
          task: {
            target: CALL_BUTTON.name, goal: [a[0], a[1], BUTTON_TOP], colour: callColour, sensor: buttonSensor(CALL_BUTTON.name),
            distractor: LIGHT_SWITCH.name, distractorColour: switchColour, distractorSensor: buttonSensor(LIGHT_SWITCH.name), threshold: PRESS_THRESHOLD,
          },
        };
      },
      success: (s) => nurseCalled(s),
      expert(env, start, o) {
        const t = start.privileged.task, goal = t.goal as Vec3, button = t.target as string;
        const above: Vec3 = [goal[0], goal[1], goal[2] + 0.06];
        const wps: Waypoint[] = [
          { name: 'above button', pos: above, gripper: 1, tolerance: 0.006 },
          { name: 'press', pos: [goal[0], goal[1], goal[2] - 0.02], gripper: 1, tolerance: 0.002, maxStep: 0.01, timeout: 40,
            until: (s) => buttonForce(s.sensors, button) >= PRESS_THRESHOLD },
          { name: 'lift', pos: above, gripper: 1, tolerance: 0.01 },
        ];
        return runWaypoints(env, start, wps, { maxSteps: o.maxSteps, onStep: o.onStep, settle: o.settle });
      },
    };
  },
};
