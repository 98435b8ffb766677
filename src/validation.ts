// Validating external input with zod at a boundary, shared by every layer (it depends on nothing but zod): the error
// names where the input was for, quotes each bad field and its value, and names unknown keys.
import type { z } from 'zod';

/** Longest quoted value; longer ones (a whole config, an MJCF string) are not repeated in the message. */
const MAX_QUOTE = 200;

/** Parses `input` with `schema`; throws "<where>: invalid <noun>: field: message (got value); ...". */
export function parseWith<O>(schema: z.ZodType<O>, input: unknown, where: string, noun = 'options'): O {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  const at = (path: PropertyKey[]) => path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), input);
  const issues = r.error.issues.map((i) => {
    const path = i.path.map(String).join('.') || noun;
    const quoted = i.code === 'unrecognized_keys' ? undefined : JSON.stringify(at(i.path)) ?? 'undefined';
    const got = quoted !== undefined && quoted.length <= MAX_QUOTE ? ` (got ${quoted})` : '';
    return `${path}: ${i.message}${got}`;
  });
  throw new Error(`${where}: invalid ${noun}: ${issues.join('; ')}`);
}
