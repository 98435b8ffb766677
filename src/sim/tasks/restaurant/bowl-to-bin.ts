// Task bowl-to-bin: clear the bowl of a named colour into the bus bin (released inside the bin's footprint, below its
// rim). Distractors: other bowls of other colours and, most episodes, a cup that often has the target's colour.
import type { TaskDefinition } from '../types.ts';
import { phrase } from '../language.ts';
import { jitterScene } from '../randomize.ts';
import { POLITE, dishEpisode, dishExpert, layout, moveStatics, releasedInBin, restaurantScene } from './scene.ts';

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
  summary: 'Clear the bowl of the named colour into the bus bin (other bowls and a same-coloured cup distract).',
  embodiments: ['kara6', 'kara7', 'widowx250'],
  maxSteps: 200,
  templates,
  scene: (e) => restaurantScene(e, { bowl: BOWLS, cup: CUPS }),
  create(e, opts) {
    const L = layout(e);
    const { bowl } = L.dishes;
    return {
      episode(rng, env) {
        jitterScene(env, rng);
        const st = moveStatics(env, rng, L);
        const { placement, colour: target, target: name, distractors } = dishEpisode(rng, env, L, 'bowl', 'cup', BOWLS);
        const instruction = phrase(rng, templates[opts.phrasing], {
          please: POLITE, c: target, bowl: ['bowl', 'soup bowl', 'cereal bowl'], bin: ['bus bin', 'bin', 'bus tub', 'dish bin'],
        });
        return {
          placement, instruction,
          task: {
            target: name, colour: target, goal: [...st.bin.pos, st.bin.wall + bowl.halfHeight], goalHalf: [st.bin.halfX, st.bin.halfY],
            rim: st.bin.height, distractors,
          },
        };
      },
      success: (s) => releasedInBin(s),
      expert: (env, start, o) => dishExpert(L, 'bowl', env, start, o, 0.01),
    };
  },
};
