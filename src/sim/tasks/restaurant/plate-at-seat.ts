// Task plate-at-seat: set a plate at the named seat, left or right. Seats are placemats across the table from the
// robot; "left" and "right" are from the robot's point of view (it faces +x: left is +y, right is -y). Success: the
// plate rests, released and flat, with its centre within the named placemat's footprint. The plate starts among the
// items or, some episodes, on the other seat's mat; distractors: sometimes a second plate (on the table or already
// set at the other seat; the instruction then names the target's colour) and sometimes a cup or a bowl.
import type { TaskDefinition } from '../types.ts';
import { phrase } from '../language.ts';
import { choose, jitterScene, parked, sample, scatter, type ColourName } from '../randomize.ts';
import type { Placement } from '../../env.ts';
import { POLITE, colourDishes, dishExpert, DISH_COLOURS, layout, moveStatics, restaurantScene, restsWithin, SIDES, type Footprint } from './scene.ts';

const templates = {
  train: [
    '{please}{set} {plate} at the {side} {seat}.',
    '{please}{set} {plate} on the {side}.',
    'The {guest} on the {side} needs {plate}.',
    '{please}give the {guest} on the {side} {plate}.',
    '{please}{set} {plate} in front of the {side} {guest}.',
    '{plate} goes at the {side} {seat}.',
    '{please}serve {plate} to the {side} {seat}.',
  ],
  heldout: [
    'Could the {guest} sitting on the {side} get {plate}?',
    'At the {side} {seat}, lay down {plate}.',
    '{plate} belongs at the {side}-hand {seat}.',
    'Lay out {plate} for whoever sits on the {side}.',
  ],
};

export const plateAtSeat: TaskDefinition = {
  id: 'plate-at-seat',
  sector: 'restaurant',
  summary: 'Set a plate on the placemat of the named seat, left or right of the robot (a second plate or a dish may distract).',
  embodiments: ['kara6', 'kara7', 'widowx250'],
  maxSteps: 200,
  templates,
  scene: (e) => restaurantScene(e, { plate: 2, cup: 1, bowl: 1 }),
  create(e, opts) {
    const L = layout(e);
    const { plate, cup, bowl } = L.dishes;
    return {
      episode(rng, env) {
        jitterScene(env, rng);
        const st = moveStatics(env, rng, L);
        const seat = choose(rng, SIDES);
        const other = seat === 'left' ? 'right' : 'left';
        const [target, second] = sample(rng, ['plate_0', 'plate_1'], 2) as [string, string];
        const [tc, sc, cc, bc] = sample(rng, DISH_COLOURS, 4) as ColourName[];
        const withSecond = rng() < 0.5;
        const secondSet = withSecond && rng() < 0.5; // the second plate is already at the other seat
        const fromOtherSeat = !secondSet && rng() < 0.25; // the target starts on the other seat's mat
        const extra = rng() < 0.5 ? choose(rng, ['cup_0', 'bowl_0']) : null;
        const onMat = (f: Footprint): [number, number] => [f.pos[0] + (rng() * 2 - 1) * 0.2 * f.halfX, f.pos[1] + (rng() * 2 - 1) * 0.2 * f.halfY];
        const loose: { n: string; r: number; hh: number }[] = [];
        if (!fromOtherSeat) loose.push({ n: target, r: plate.radius, hh: plate.halfHeight });
        if (withSecond && !secondSet) loose.push({ n: second, r: plate.radius, hh: plate.halfHeight });
        if (extra === 'cup_0') loose.push({ n: extra, r: cup.radius, hh: cup.halfHeight });
        if (extra === 'bowl_0') loose.push({ n: extra, r: bowl.radius, hh: bowl.halfHeight });
        const at = scatter(rng, L.items, loose.map((i) => i.r), L.gap);
        const placement: Record<string, Placement> = {};
        loose.forEach((it, k) => { placement[it.n] = { pos: [...at[k]!, it.hh + 0.001], yaw: rng() * Math.PI }; });
        if (fromOtherSeat) placement[target] = { pos: [...onMat(st.seats[other]), plate.halfHeight + 0.001], yaw: rng() * Math.PI };
        if (secondSet) placement[second] = { pos: [...onMat(st.seats[other]), plate.halfHeight + 0.001], yaw: rng() * Math.PI };
        if (!withSecond) placement[second] = parked(0, plate.halfHeight);
        if (extra !== 'cup_0') placement.cup_0 = parked(1, cup.halfHeight);
        if (extra !== 'bowl_0') placement.bowl_0 = parked(2, bowl.halfHeight);
        colourDishes(env, { [target]: tc, [second]: sc, cup_0: cc, bowl_0: bc });
        // with two plates on the table the colour tells which one; alone, the plate is sometimes named by colour too
        const plateSlot = withSecond ? [`the ${tc} plate`] : ['the plate', 'a plate', `the ${tc} plate`];
        const instruction = phrase(rng, templates[opts.phrasing], {
          please: POLITE, plate: plateSlot, side: seat, seat: ['seat', 'place', 'place setting', 'placemat', 'spot'], guest: ['guest', 'diner', 'customer'],
          set: ['set', 'put', 'place', 'lay'],
        });
        const mat = st.seats[seat];
        return {
          placement, instruction,
          task: {
            target, colour: tc, seat, goal: [...mat.pos, plate.halfHeight], goalHalf: [mat.halfX, mat.halfY],
            otherSeat: [...st.seats[other].pos], distractors: [...(withSecond ? [second] : []), ...(extra ? [extra] : [])],
          },
        };
      },
      success: (s) => restsWithin(s),
      expert: (env, start, o) => dishExpert(L, 'plate', env, start, o),
    };
  },
};
