// The embodiment registry: every arm Karakuri can drive, by id. Add one by writing its description (schema.ts).
import type { EmbodimentSpec } from './schema.ts';
import { kara6 } from './kara6.ts';
import { kara7 } from './kara7.ts';
import { widowx250 } from './widowx250.ts';

export { type EmbodimentSpec, parseEmbodiment } from './schema.ts';

export const EMBODIMENTS: ReadonlyMap<string, EmbodimentSpec> = new Map([kara6, kara7, widowx250].map((e) => [e.id, e]));

export function embodiment(id: string): EmbodimentSpec {
  const e = EMBODIMENTS.get(id);
  if (!e) throw new Error(`unknown embodiment '${id}' (known: ${[...EMBODIMENTS.keys()].join(', ')})`);
  return e;
}
