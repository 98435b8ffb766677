// Deep merge of configuration overrides (JSON-like data): a model version's config under a fine-tune's `model`
// overrides (src/train/init.ts), an arm's default shield limits under a deployment's (src/serve/shield/limits.ts).

/** A plain object (not an array, not null). */
export const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * `over` on top of `base`: plain objects merge key by key, recursively; anything else in `over` (a number, a string,
 * an array, null) replaces what `base` has there; undefined (a key left out) keeps `base`'s. Neither input is changed.
 */
export function deepMerge<T>(base: T, over: unknown): T {
  if (over === undefined) return base;
  if (!isPlainObject(over) || !isPlainObject(base)) return over as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(out[k], v);
  return out as T;
}
