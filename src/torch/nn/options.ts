// Option parsing shared by layers and optimizers: a zod schema checks the options at construction, unknown keys are
// rejected (a misspelt option fails instead of being ignored), and the error quotes each bad field and its value.
// The mechanism is the project-wide one in src/validation.ts.
import type { z } from 'zod';
import { parseWith } from '../../validation.ts';

/** Parses `input` with `schema`; throws "<where>: invalid options: field: message (got value); ...". */
export function parseOptions<O>(schema: z.ZodType<O>, input: unknown, where: string): O {
  return parseWith(schema, input, where);
}
