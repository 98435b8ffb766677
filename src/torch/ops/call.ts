// How every op reaches libtorch: an aten op is looked up once by schema name (lazily, on first call) and then
// called by id through the dispatcher (so autograd applies). `wrap` turns native results into Tensors.
import { native, type NativeResult, type NativeValue, type NativeTensor } from '../native.ts';
import { Tensor } from '../tensor.ts';

export type OpFn = (args: NativeValue[]) => NativeResult;

/** A caller for `aten::name.overload`; positional args, undefined = the schema default. */
export function aten(name: string, overload = ''): OpFn {
  let id = -1;
  return (args) => {
    if (id < 0) id = native.opId(`aten::${name}`, overload).id;
    return native.call(id, args);
  };
}

export function wrap(r: NativeResult): Tensor {
  if (r === null || typeof r !== 'object' || Array.isArray(r)) throw new Error(`expected a tensor result, got ${typeof r}`);
  return new Tensor(r);
}

export function wrapList(r: NativeResult): Tensor[] {
  if (!Array.isArray(r)) throw new Error('expected a list of tensors');
  return r.map((x) => wrap(x));
}

/** The native handle of a tensor argument, or a clear error naming the op and argument. */
export function h(t: Tensor, what: string): NativeTensor {
  if (!(t instanceof Tensor)) throw new TypeError(`${what}: expected a Tensor, got ${t === null ? 'null' : typeof t}`);
  return t.handle;
}

export function hOpt(t: Tensor | null | undefined, what: string): NativeTensor | null {
  return t == null ? null : h(t, what);
}
