// Tensor: a typed handle on one libtorch tensor, with its shape, dtype, data export, autograd state, memory
// ownership (see scope.ts) and the common ops as chainable methods (implemented in ops/).
import { native, type TensorHandle } from './native.ts';
import { BYTES_PER_ELEMENT, dtypeFromCode, typedView, type DType, type TypedArray } from './dtype.ts';
import { track, TENSOR_BRAND } from './scope.ts';
import * as A from './ops/arithmetic.ts';
import * as R from './ops/reduction.ts';
import * as S from './ops/shape.ts';
import * as L from './ops/linalg.ts';
import * as C from './ops/creation.ts';

export type Scalar = number | boolean;
export type TensorOrScalar = Tensor | number;

/** The fallback for tensors that were never disposed: freed when the GC collects their Tensor. */
const finalizer = new FinalizationRegistry<TensorHandle>((handle) => native.free(handle));

export class Tensor {
  /** Brand checked by scope.ts (on the prototype, so it costs nothing per tensor). */
  declare readonly [TENSOR_BRAND]: true;
  /** Set by keep(): scopes leave this tensor alone. */
  kept = false;

  private live = true;

  /** Internal: takes ownership of a native handle. Use the creation functions (tensor, zeros, randn, ...) instead. */
  constructor(readonly handle: TensorHandle) {
    track(this);
    finalizer.register(this, handle, this);
  }

  // ---- metadata -------------------------------------------------------------------------------------
  get shape(): number[] { return native.shape(this.handle); }
  get ndim(): number { return native.shape(this.handle).length; }
  get dtype(): DType { return dtypeFromCode(native.dtype(this.handle)); }
  get device(): string { return native.device(this.handle); }
  get numel(): number { return native.numel(this.handle); }
  get strides(): number[] { return native.strides(this.handle); }
  get isContiguous(): boolean { return native.isContiguous(this.handle); }
  get disposed(): boolean { return !this.live; }
  /** Size of one dimension (negative dims count from the end). */
  size(dim: number): number {
    if (!Number.isInteger(dim)) throw new TypeError(`size(dim): dim must be an integer, got ${typeof dim === 'number' ? dim : typeof dim}`);
    const s = this.shape;
    const d = dim < 0 ? dim + s.length : dim;
    if (d < 0 || d >= s.length) throw new RangeError(`size(${dim}): dimension out of range for a ${s.length}-d tensor`);
    return s[d]!;
  }

  // ---- data export ----------------------------------------------------------------------------------
  /** The single element as a JS number (or boolean). */
  item(): number {
    return Number(native.item(this.handle));
  }
  /** A copy of the elements, row-major, in the TypedArray of this dtype (int64 -> BigInt64Array). */
  data(): TypedArray {
    const dtype = this.dtype;
    const bytes = native.numel(this.handle) * BYTES_PER_ELEMENT[dtype];
    // allocated here, not in the addon: a failed `new ArrayBuffer` is a RangeError, a failed allocation in native
    // code aborts the process
    let buf: ArrayBuffer;
    try {
      buf = new ArrayBuffer(bytes);
    } catch (err) {
      throw new RangeError(`data(): cannot allocate ${bytes} bytes for a copy of this [${this.shape.join(', ')}] ${dtype} tensor (${(err as Error).message})`);
    }
    return typedView(dtype, native.toBuffer(this.handle, buf));
  }
  /** The elements as float32 (converted as needed). */
  toFloat32Array(): Float32Array {
    const d = this.dtype;
    if (d === 'float32') return this.data() as Float32Array;
    const f = this.to('float32');
    try { return f.data() as Float32Array; } finally { f.dispose(); }
  }
  /** The elements as a flat array of JS numbers. */
  toNumbers(): number[] {
    const d = this.data();
    if (d instanceof BigInt64Array) return Array.from(d, (x) => Number(x));
    if (this.dtype === 'float16' || this.dtype === 'bfloat16') return Array.from(this.toFloat32Array());
    return Array.from(d as ArrayLike<number>);
  }
  /** Nested arrays, like PyTorch's tolist() (bool tensors give booleans). */
  tolist(): unknown {
    const flat: (number | boolean)[] = this.dtype === 'bool' ? this.toNumbers().map((v) => v !== 0) : this.toNumbers();
    const shape = this.shape;
    if (shape.length === 0) return flat[0];
    let i = 0;
    const build = (dim: number): unknown[] => {
      const n = shape[dim]!;
      const out: unknown[] = [];
      for (let k = 0; k < n; k++) out.push(dim === shape.length - 1 ? flat[i++] : build(dim + 1));
      return out;
    };
    return build(0);
  }
  toString(): string {
    if (this.disposed) return 'Tensor(<disposed>)';
    const shape = this.shape;
    const n = this.numel;
    const body = n <= 64 ? formatNested(this.tolist()) : `[${this.toNumbers().slice(0, 8).map((x) => +x.toPrecision(4)).join(', ')}, ...]`;
    const grad = this.requiresGrad ? ', requiresGrad=true' : '';
    return `Tensor(${body}, shape=[${shape.join(', ')}], dtype=${this.dtype}${grad})`;
  }

  // ---- memory ---------------------------------------------------------------------------------------
  /** Frees the native tensor now. Safe to call twice. */
  dispose(): void {
    if (!this.live) return;
    this.live = false;
    finalizer.unregister(this);
    native.free(this.handle);
  }
  [Symbol.dispose](): void { this.dispose(); }

  // ---- autograd -------------------------------------------------------------------------------------
  get requiresGrad(): boolean { return native.requiresGrad(this.handle); }
  set requiresGrad(on: boolean) { this.setRequiresGrad(on); }
  /** In place: marks this (leaf) tensor as requiring gradients. Returns this. */
  requiresGrad_(on = true): this { this.setRequiresGrad(on); return this; }
  private setRequiresGrad(on: boolean): void {
    // libtorch silently ignores requires_grad=false on a computed tensor (it keeps its grad_fn); PyTorch refuses
    if (on === false && native.requiresGrad(this.handle) && !native.isLeaf(this.handle)) {
      throw new Error("requiresGrad: you can only change requires_grad flags of leaf tensors; use detach() to get a tensor that doesn't require grad");
    }
    native.setRequiresGrad(this.handle, on);
  }
  /** The accumulated gradient (a new handle on it; null when none). */
  get grad(): Tensor | null {
    const g = native.grad(this.handle);
    return g ? new Tensor(g) : null;
  }
  set grad(g: Tensor | null) { native.setGrad(this.handle, g ? g.handle : null); }
  get isLeaf(): boolean { return native.isLeaf(this.handle); }
  get gradFn(): string | null { return native.gradFn(this.handle); }
  backward(gradient?: Tensor | null, opts: { retainGraph?: boolean; createGraph?: boolean } = {}): void {
    native.backward(this.handle, gradient ? gradient.handle : null, opts.retainGraph, opts.createGraph);
  }
  detach(): Tensor { return S.detach(this); }
  clone(): Tensor { return C.clone(this); }

  // ---- conversion -----------------------------------------------------------------------------------
  to(dtype: DType): Tensor { return C.toDtype(this, dtype); }
  float(): Tensor { return this.to('float32'); }
  double(): Tensor { return this.to('float64'); }
  long(): Tensor { return this.to('int64'); }
  int(): Tensor { return this.to('int32'); }
  bool(): Tensor { return this.to('bool'); }
  contiguous(): Tensor { return S.contiguous(this); }

  // ---- arithmetic (broadcasting) --------------------------------------------------------------------
  add(o: TensorOrScalar, alpha = 1): Tensor { return A.add(this, o, alpha); }
  sub(o: TensorOrScalar, alpha = 1): Tensor { return A.sub(this, o, alpha); }
  mul(o: TensorOrScalar): Tensor { return A.mul(this, o); }
  div(o: TensorOrScalar): Tensor { return A.div(this, o); }
  pow(o: TensorOrScalar): Tensor { return A.pow(this, o); }
  neg(): Tensor { return A.neg(this); }
  abs(): Tensor { return A.abs(this); }
  exp(): Tensor { return A.exp(this); }
  log(): Tensor { return A.log(this); }
  sqrt(): Tensor { return A.sqrt(this); }
  rsqrt(): Tensor { return A.rsqrt(this); }
  square(): Tensor { return A.square(this); }
  sin(): Tensor { return A.sin(this); }
  cos(): Tensor { return A.cos(this); }
  tanh(): Tensor { return A.tanh(this); }
  sigmoid(): Tensor { return A.sigmoid(this); }
  relu(): Tensor { return A.relu(this); }
  clamp(min: number | null, max: number | null = null): Tensor { return A.clamp(this, min, max); }
  eq(o: TensorOrScalar): Tensor { return A.eq(this, o); }
  ne(o: TensorOrScalar): Tensor { return A.ne(this, o); }
  lt(o: TensorOrScalar): Tensor { return A.lt(this, o); }
  le(o: TensorOrScalar): Tensor { return A.le(this, o); }
  gt(o: TensorOrScalar): Tensor { return A.gt(this, o); }
  ge(o: TensorOrScalar): Tensor { return A.ge(this, o); }
  logicalNot(): Tensor { return A.logicalNot(this); }
  maskedFill(mask: Tensor, value: number): Tensor { return A.maskedFill(this, mask, value); }

  // ---- in place (returns this) ----------------------------------------------------------------------
  add_(o: TensorOrScalar, alpha = 1): this { A.add_(this, o, alpha); return this; }
  mul_(o: TensorOrScalar): this { A.mul_(this, o); return this; }
  sub_(o: TensorOrScalar, alpha = 1): this { A.add_(this, o, -alpha); return this; }
  zero_(): this { A.zero_(this); return this; }
  fill_(v: number): this { A.fill_(this, v); return this; }
  copy_(src: Tensor): this { A.copy_(this, src); return this; }

  // ---- reductions -----------------------------------------------------------------------------------
  sum(dim?: number | number[], keepdim = false): Tensor { return R.sum(this, dim, keepdim); }
  mean(dim?: number | number[], keepdim = false): Tensor { return R.mean(this, dim, keepdim); }
  max(): Tensor { return R.max(this); }
  min(): Tensor { return R.min(this); }
  argmax(dim?: number, keepdim = false): Tensor { return R.argmax(this, dim, keepdim); }
  std(dim?: number | number[], unbiased = true, keepdim = false): Tensor { return R.std(this, dim, unbiased, keepdim); }
  var(dim?: number | number[], unbiased = true, keepdim = false): Tensor { return R.variance(this, dim, unbiased, keepdim); }
  norm(p = 2): Tensor { return R.norm(this, p); }

  // ---- shape ----------------------------------------------------------------------------------------
  reshape(...shape: number[]): Tensor { return S.reshape(this, shape); }
  view(...shape: number[]): Tensor { return S.view(this, shape); }
  permute(...dims: number[]): Tensor { return S.permute(this, dims); }
  transpose(d0: number, d1: number): Tensor { return S.transpose(this, d0, d1); }
  get T(): Tensor { return S.transpose(this, -2, -1); }
  expand(...shape: number[]): Tensor { return S.expand(this, shape); }
  squeeze(dim?: number): Tensor { return S.squeeze(this, dim); }
  unsqueeze(dim: number): Tensor { return S.unsqueeze(this, dim); }
  flatten(start = 0, end = -1): Tensor { return S.flatten(this, start, end); }
  slice(dim: number, start?: number, end?: number, step = 1): Tensor { return S.slice(this, dim, start, end, step); }
  select(dim: number, index: number): Tensor { return S.select(this, dim, index); }
  narrow(dim: number, start: number, length: number): Tensor { return S.narrow(this, dim, start, length); }
  indexSelect(dim: number, index: Tensor): Tensor { return S.indexSelect(this, dim, index); }
  gather(dim: number, index: Tensor): Tensor { return S.gather(this, dim, index); }
  split(size: number | number[], dim = 0): Tensor[] { return S.split(this, size, dim); }
  chunk(chunks: number, dim = 0): Tensor[] { return S.chunk(this, chunks, dim); }

  // ---- linear algebra -------------------------------------------------------------------------------
  matmul(o: Tensor): Tensor { return L.matmul(this, o); }
}

Object.defineProperty(Tensor.prototype, TENSOR_BRAND, { value: true });

/** Nested arrays as compact JSON, except that NaN and ±Infinity print as themselves (JSON would say null). */
function formatNested(v: unknown): string {
  return Array.isArray(v) ? `[${v.map(formatNested).join(',')}]` : String(v);
}

/** Live native tensors and their storage bytes, for leak checks. */
export function liveTensors(): { tensors: number; bytes: number } {
  return native.live();
}
