// Validates CLI flags with a zod schema and turns failures into one readable line per bad flag.
import { z } from 'zod';

export function parseOptions<S extends z.ZodType>(schema: S, raw: unknown, command: string): z.infer<S> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => {
    const flag = i.path.length ? `--${String(i.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` : 'options';
    const given = i.path.length ? (raw as Record<string, unknown>)[String(i.path[0])] : undefined;
    return `${flag}: ${i.message}${given !== undefined ? ` (got '${String(given)}')` : ''}`;
  });
  throw new Error(`${command}: invalid options\n  ${lines.join('\n  ')}`);
}

/** A comma-separated flag value as a list (`--tasks a,b` -> ['a', 'b']; blanks dropped). */
export const commaList = z.string().transform((v) => v.split(',').map((x) => x.trim()).filter(Boolean));
