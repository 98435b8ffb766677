// How every op reaches libtorch: an aten op is looked up once by schema name (lazily, on first call) and then
// called by id through the dispatcher (so autograd applies). `wrap` turns native results into Tensors.
import { native, type NativeResult, type NativeValue, type TensorHandle } from '../native.ts';
import { Tensor } from '../tensor.ts';

export type OpFn = (args: NativeValue[]) => NativeResult;

/**
 * A caller for `aten::name.overload`; positional args, undefined = the schema default.
 * Internal, and not a safety boundary: the public ops validate what libtorch 1.13 does not, but a raw aten op can
 * still kill the process on inputs its kernel never checks, e.g. integer division of INT64_MIN by -1
 * (aten::div.Tensor_mode 'trunc'/'floor', remainder, fmod, floor_divide: SIGFPE) or backward kernels fed
 * hand-made indices. Wrap a new op in the right ops/ file, with its checks, before exposing it.
 */
export function aten(name: string, overload = ''): OpFn {
  let id = -1;
  return (args) => {
    if (id < 0) id = native.opId(`aten::${name}`, overload).id;
    return native.call(id, args);
  };
}

/** A Tensor owning the handle an op returned (ops declared to return a Tensor return its handle). */
export function wrap(r: NativeResult): Tensor {
  if (typeof r !== 'number') throw new Error(`expected a tensor result, got ${r === null ? 'null' : typeof r}`);
  return new Tensor(r);
}

export function wrapList(r: NativeResult): Tensor[] {
  if (!Array.isArray(r)) throw new Error('expected a list of tensors');
  return r.map((x) => wrap(x));
}

/** The native handle of a tensor argument, or a clear error naming the op and argument. */
export function h(t: Tensor, what: string): TensorHandle {
  if (!(t instanceof Tensor)) throw new TypeError(`${what}: expected a Tensor, got ${t === null ? 'null' : typeof t}`);
  if (t.disposed) throw new Error(`${what}: tensor was disposed`);
  return t.handle;
}

export function hOpt(t: Tensor | null | undefined, what: string): TensorHandle | null {
  return t == null ? null : h(t, what);
}
