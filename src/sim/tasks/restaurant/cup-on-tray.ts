// Task cup-on-tray: put the cup of a named colour on the serving tray. Distractors: other cups of other colours and,
// most episodes, a bowl; more often than not the bowl has the target's colour, so both colour and type matter.
import type { TaskDefinition } from '../types.ts';
import { phrase } from '../language.ts';
import { jitterScene, parked, sample, scatter, type ColourName } from '../randomize.ts';
import type { Placement } from '../../env.ts';
import { POLITE, colourDishes, dishExpert, DISH_COLOURS, dishName, layout, moveStatics, restaurantScene, restsWithin } from './scene.ts';

const CUPS = 3, BOWLS = 1;

const templates = {
  train: [
    '{please}{put} the {c} {cup} {onto} the {tray}.',
    'The {c} {cup} goes {onto} the {tray}.',
    '{please}{pick} the {c} {cup} and {put} it {onto} the {tray}.',
    'Load the {c} {cup} onto the {tray}.',
    '{please}find the {c} {cup} and set it {onto} the {tray}.',
    'The {tray} needs the {c} {cup}.',
    'Serve the {c} {cup}: {put} it {onto} the {tray}.',
  ],
  heldout: [
    'Could the {c} {cup} be moved over to the {tray}?',
    'Onto the {tray} with the {c} {cup}, please.',
    "I'd like the {c} {cup} sitting on the {tray}.",
    'Transfer the {c} {cup} to the {tray} for me.',
  ],
};

export const cupOnTray: TaskDefinition = {
  id: 'cup-on-tray',
  sector: 'restaurant',
  summary: 'put the cup of the named colour on the serving tray (other cups and a same-coloured bowl distract)',
  embodiments: ['kara6', 'kara7', 'widowx250'],
  maxSteps: 200,
  templates,
  scene: (e) => restaurantScene(e, { cup: CUPS, bowl: BOWLS }),
  create(e, opts) {
    const L = layout(e);
    const { cup, bowl } = L.dishes;
    return {
      episode(rng, env) {
        jitterScene(env, rng);
        const st = moveStatics(env, rng, L);
        const colours = sample(rng, DISH_COLOURS, CUPS + 1);
        const target = colours[0]!;
        const nCups = 2 + Math.floor(rng() * (CUPS - 1)); // the target and 1..2 other cups
        const withBowl = rng() < 0.85, bowlShares = rng() < 0.65;
        const cupNames = sample(rng, Array.from({ length: CUPS }, (_, i) => dishName('cup', i)), CUPS);
        const used = cupNames.slice(0, nCups);
        const items = [...used.map((n) => ({ n, r: cup.radius, hh: cup.halfHeight })), ...(withBowl ? [{ n: 'bowl_0', r: bowl.radius, hh: bowl.halfHeight }] : [])];
        const at = scatter(rng, L.items, items.map((i) => i.r), L.gap);
        const placement: Record<string, Placement> = {};
        const colourOf: Record<string, ColourName> = {};
        items.forEach((it, k) => { placement[it.n] = { pos: [...at[k]!, it.hh + 0.001], yaw: rng() * Math.PI }; });
        used.forEach((n, k) => { colourOf[n] = colours[k]!; });
        cupNames.slice(nCups).forEach((n, k) => { placement[n] = parked(k, cup.halfHeight); colourOf[n] = colours[nCups + k]!; });
        if (!withBowl) placement.bowl_0 = parked(CUPS, bowl.halfHeight);
        colourOf.bowl_0 = bowlShares ? target : colours[CUPS]!;
        colourDishes(env, colourOf);
        const name = used[0]!;
        const instruction = phrase(rng, templates[opts.phrasing], { please: POLITE, c: target, cup: ['cup', 'mug'], tray: ['tray', 'serving tray'] });
        return {
          placement, instruction,
          task: {
            target: name, colour: target, goal: [...st.tray.pos, st.tray.wall + cup.halfHeight], goalHalf: [st.tray.halfX, st.tray.halfY],
            distractors: items.map((i) => i.n).filter((n) => n !== name),
          },
        };
      },
      success: (s) => restsWithin(s),
      expert: (env, start, o) => dishExpert(L, 'cup', env, start, o),
    };
  },
};
