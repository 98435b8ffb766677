// Option parsing shared by layers and optimizers: a zod schema checks the options at construction, unknown keys are
// rejected (a misspelt option fails instead of being ignored), and the error quotes each bad field and its value.
import type { z } from 'zod';

/** Parses `input` with `schema`; throws "<where>: invalid options: field: message (got value); ...". */
export function parseOptions<O>(schema: z.ZodType<O>, input: unknown, where: string): O {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  const at = (path: PropertyKey[]) => path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), input);
  const issues = r.error.issues.map((i) => {
    const path = i.path.map(String).join('.') || 'options';
    const got = i.code === 'unrecognized_keys' ? '' : ` (got ${JSON.stringify(at(i.path)) ?? 'undefined'})`;
    return `${path}: ${i.message}${got}`;
  });
  throw new Error(`${where}: invalid options: ${issues.join('; ')}`);
}
