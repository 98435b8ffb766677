// Task bowl-to-bin: clear the bowl of a named colour into the bus bin (released inside the bin's footprint, below its
// rim). Distractors: other bowls of other colours and, most episodes, a cup that often has the target's colour.
import type { TaskDefinition } from '../types.ts';
import { phrase } from '../language.ts';
import { jitterScene, parked, sample, scatter, type ColourName } from '../randomize.ts';
import type { Placement } from '../../env.ts';
import { POLITE, colourDishes, dishExpert, DISH_COLOURS, dishName, layout, moveStatics, releasedInBin, restaurantScene } from './scene.ts';

const BOWLS = 3, CUPS = 1;

const templates = {
  train: [
    '{please}clear the {c} {bowl} into the {bin}.',
    '{please}{put} the {c} {bowl} {into} the {bin}.',
    'The {c} {bowl} goes {into} the {bin}.',
    '{please}{pick} the {c} {bowl} and drop it {into} the {bin}.',
    'Bus the {c} {bowl} to the {bin}.',
    'Drop the {c} {bowl} {into} the {bin}.',
    '{please}clear away the {c} {bowl}; it belongs {into} the {bin}.',
  ],
  heldout: [
    'Could the {c} {bowl} be cleared off into the {bin}?',
    'Into the {bin} with the {c} {bowl}, please.',
    'The {c} {bowl} is finished with, so tidy it away in the {bin}.',
    "I'm done with the {c} {bowl}: stow it in the {bin}.",
  ],
};

export const bowlToBin: TaskDefinition = {
  id: 'bowl-to-bin',
  sector: 'restaurant',
  summary: 'clear the bowl of the named colour into the bus bin (other bowls and a same-coloured cup distract)',
  embodiments: ['kara6', 'kara7', 'widowx250'],
  maxSteps: 200,
  templates,
  scene: (e) => restaurantScene(e, { bowl: BOWLS, cup: CUPS }),
  create(e, opts) {
    const L = layout(e);
    const { cup, bowl } = L.dishes;
    return {
      episode(rng, env) {
        jitterScene(env, rng);
        const st = moveStatics(env, rng, L);
        const colours = sample(rng, DISH_COLOURS, BOWLS + 1);
        const target = colours[0]!;
        const nBowls = 2 + Math.floor(rng() * (BOWLS - 1)); // the target and 1..2 other bowls
        const withCup = rng() < 0.85, cupShares = rng() < 0.65;
        const bowlNames = sample(rng, Array.from({ length: BOWLS }, (_, i) => dishName('bowl', i)), BOWLS);
        const used = bowlNames.slice(0, nBowls);
        const items = [...used.map((n) => ({ n, r: bowl.radius, hh: bowl.halfHeight })), ...(withCup ? [{ n: 'cup_0', r: cup.radius, hh: cup.halfHeight }] : [])];
        const at = scatter(rng, L.items, items.map((i) => i.r), L.gap);
        const placement: Record<string, Placement> = {};
        const colourOf: Record<string, ColourName> = {};
        items.forEach((it, k) => { placement[it.n] = { pos: [...at[k]!, it.hh + 0.001], yaw: rng() * Math.PI }; });
        used.forEach((n, k) => { colourOf[n] = colours[k]!; });
        bowlNames.slice(nBowls).forEach((n, k) => { placement[n] = parked(k, bowl.halfHeight); colourOf[n] = colours[nBowls + k]!; });
        if (!withCup) placement.cup_0 = parked(BOWLS, cup.halfHeight);
        colourOf.cup_0 = cupShares ? target : colours[BOWLS]!;
        colourDishes(env, colourOf);
        const name = used[0]!;
        const instruction = phrase(rng, templates[opts.phrasing], {
          please: POLITE, c: target, bowl: ['bowl', 'soup bowl', 'cereal bowl'], bin: ['bus bin', 'bin', 'bus tub', 'dish bin'],
        });
        return {
          placement, instruction,
          task: {
            target: name, colour: target, goal: [...st.bin.pos, st.bin.wall + bowl.halfHeight], goalHalf: [st.bin.halfX, st.bin.halfY],
            rim: st.bin.height, distractors: items.map((i) => i.n).filter((n) => n !== name),
          },
        };
      },
      success: (s) => releasedInBin(s),
      expert: (env, start, o) => dishExpert(L, 'bowl', env, start, o, 0.01),
    };
  },
};
