// Task cup-on-tray: put the cup of a named colour on the serving tray. Distractors: other cups of other colours and,
// most episodes, a bowl; more often than not the bowl has the target's colour, so both colour and type matter.
import type { TaskDefinition } from '../types.ts';
import { phrase } from '../language.ts';
import { jitterScene } from '../randomize.ts';
import { POLITE, dishEpisode, dishExpert, layout, moveStatics, restaurantScene, restsWithin } from './scene.ts';

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
  summary: 'Put the cup of the named colour on the serving tray (other cups and a same-coloured bowl distract).',
  embodiments: ['kara6', 'kara7', 'widowx250'],
  maxSteps: 200,
  templates,
  scene: (e) => restaurantScene(e, { cup: CUPS, bowl: BOWLS }),
  create(e, opts) {
    const L = layout(e);
    const { cup } = L.dishes;
    return {
      episode(rng, env) {
        jitterScene(env, rng);
        const st = moveStatics(env, rng, L);
        const { placement, colour: target, target: name, distractors } = dishEpisode(rng, env, L, 'cup', 'bowl', CUPS);
        const instruction = phrase(rng, templates[opts.phrasing], { please: POLITE, c: target, cup: ['cup', 'mug'], tray: ['tray', 'serving tray'] });
        return {
          placement, instruction,
          task: {
            target: name, colour: target, goal: [...st.tray.pos, st.tray.wall + cup.halfHeight], goalHalf: [st.tray.halfX, st.tray.halfY],
            distractors,
          },
        };
      },
      success: (s) => restsWithin(s),
      expert: (env, start, o) => dishExpert(L, 'cup', env, start, o),
    };
  },
};
