// Deterministic memory management. Native tensors are freed by `dispose()` or by the scope that created them:
// `tidy(fn)` disposes every tensor created inside fn except those it returns (and those passed to `keep`).
// The GC finalizer in the addon is only a fallback; training loops should run each step inside `tidy`.
//
// Who frees what: a tensor belongs to the innermost open scope at its creation, or to nobody (the caller
// disposes it) when no scope is open. Returned tensors move to the enclosing scope. `keep(t)` takes t out of
// scope management for good (parameters, optimizer state, long-lived buffers).
import type { Tensor } from './tensor.ts';

type Scope = Tensor[];
const scopes: Scope[] = [];

/** Called by Tensor's constructor: the tensor joins the innermost scope, if any. */
export function track(t: Tensor): void {
  const top = scopes[scopes.length - 1];
  if (top) top.push(t);
}

/** Runs fn in a new scope; disposes all tensors it created except those reachable from its result. */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new TypeError(`tidy(fn): fn must be a function, got ${fn === null ? 'null' : typeof fn}`);
  scopes.push([]);
  let result: T;
  try {
    result = fn();
    if (result instanceof Promise) {
      throw new Error('tidy(fn): fn returned a Promise; tidy only manages synchronous code (dispose tensors explicitly across awaits)');
    }
  } catch (err) {
    for (const t of scopes.pop() ?? []) if (!t.kept) t.dispose(); // a failed fn returns nothing: free everything
    throw err;
  }
  const scope = scopes.pop() ?? [];
  const survivors = new Set<Tensor>();
  collectTensors(result, survivors);
  const parent = scopes[scopes.length - 1];
  for (const t of scope) {
    if (survivors.has(t) || t.kept) {
      if (parent && !t.kept) parent.push(t);
    } else {
      t.dispose();
    }
  }
  return result;
}

/** Takes t out of scope management: it lives until t.dispose(). Returns t. */
export function keep<T extends Tensor>(t: T): T {
  t.kept = true;
  return t;
}

/** Disposes every tensor found in a value (a tensor, or arrays/objects/Maps/Sets of them, at any depth). */
export function dispose(value: unknown): void {
  const found = new Set<Tensor>();
  collectTensors(value, found);
  for (const t of found) t.dispose();
}

/**
 * Adds every tensor reachable from v to out: through arrays, Maps (keys and values), Sets and plain or class objects'
 * own enumerable properties, at any depth. Each object is visited once, so cycles and shared sub-structures are fine.
 */
function collectTensors(v: unknown, out: Set<Tensor>): void {
  const seen = new Set<object>();
  const stack: unknown[] = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    if (x === null || typeof x !== 'object' || seen.has(x)) continue;
    seen.add(x);
    if (isTensor(x)) { out.add(x); continue; }
    if (ArrayBuffer.isView(x) || x instanceof ArrayBuffer) continue;
    if (Array.isArray(x)) { for (const e of x) stack.push(e); continue; }
    if (x instanceof Map) { for (const [k, e] of x) stack.push(k, e); continue; }
    if (x instanceof Set) { for (const e of x) stack.push(e); continue; }
    for (const e of Object.values(x as Record<string, unknown>)) stack.push(e);
  }
}

const TENSOR_BRAND = Symbol.for('karakuri.tensor');
export { TENSOR_BRAND };
function isTensor(v: object): v is Tensor {
  return (v as { [TENSOR_BRAND]?: boolean })[TENSOR_BRAND] === true;
}
