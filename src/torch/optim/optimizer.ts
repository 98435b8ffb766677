// The optimizer base: parameters in groups (each group may override the options, e.g. no weight decay on biases),
// options validated with zod (unknown keys rejected, bad values quoted), a learning rate that a scheduler sets for
// every group, zeroGrad, and collecting each group's gradients as raw handles for the multi-tensor updates.
import type { z } from 'zod';
import { Tensor } from '../tensor.ts';
import { native, type TensorHandle } from '../native.ts';
import { parseOptions } from '../nn/options.ts';

export { parseOptions };

/** A parameter group: its tensors and any options that differ from the optimizer's. */
export interface ParamGroup<O = Record<string, unknown>> { params: Iterable<Tensor>; options?: Partial<O> }
/** What an optimizer takes: tensors (one group) or groups. */
export type Params<O = Record<string, unknown>> = Iterable<Tensor> | Iterable<ParamGroup<O>>;

export interface Group<O> {
  /** Indices into the optimizer's flat parameter list (the i of state keys "i.exp_avg"). */
  readonly indices: number[];
  /** Options after defaults and overrides; options.lr follows the optimizer's lr (see Optimizer.lr). */
  readonly options: O;
  /** This group's lr over the optimizer's base lr (1 unless the group set its own lr). */
  readonly lrScale: number;
}

export abstract class Optimizer<O extends { lr: number } = { lr: number }> {
  /** Every parameter, group after group. */
  protected readonly params: Tensor[] = [];
  readonly groups: Group<O>[] = [];
  private baseLr: number;

  constructor(params: Params<O>, options: Partial<O>, schema: z.ZodType<O>) {
    const name = this.constructor.name;
    const defaults = parseOptions(schema, options, name);
    this.baseLr = defaults.lr;
    const list = [...(params as Iterable<Tensor | ParamGroup<O>>)];
    const raw: ParamGroup<O>[] = list.length > 0 && !(list[0] instanceof Tensor) ? (list as ParamGroup<O>[]) : [{ params: list as Tensor[] }];
    raw.forEach((g, gi) => {
      if (!g || typeof g !== 'object' || !('params' in g)) throw new Error(`${name}: param group ${gi} must be { params, options? }`);
      const ps = [...g.params];
      if (ps.some((p) => !(p instanceof Tensor))) throw new Error(`${name}: param group ${gi} mixes tensors with something else`);
      const opts = g.options ? parseOptions(schema, { ...options, ...g.options }, `${name} (param group ${gi})`) : defaults;
      const indices = ps.map((p) => {
        const i = this.params.length;
        if (!p.requiresGrad) throw new Error(`${name}: parameter ${i} (shape [${p.shape.join(', ')}]) does not require grad`);
        if (this.params.includes(p)) throw new Error(`${name}: parameter ${i} (shape [${p.shape.join(', ')}]) appears twice`);
        this.params.push(p);
        return i;
      });
      this.groups.push({ indices, options: { ...opts }, lrScale: opts.lr / defaults.lr });
    });
    if (this.params.length === 0) throw new Error(`${name}: got no parameters to optimize`);
  }

  /** The base learning rate; setting it sets every group's lr to value * its lrScale (how schedulers drive it). */
  get lr(): number { return this.baseLr; }
  set lr(value: number) {
    if (!(Number.isFinite(value) && value >= 0)) throw new RangeError(`${this.constructor.name}: lr must be a finite number >= 0, got ${value}`);
    this.baseLr = value;
    for (const g of this.groups) g.options.lr = value * g.lrScale;
  }

  /** Drops the gradients of all parameters (PyTorch's zero_grad(set_to_none=True)). */
  zeroGrad(): void {
    for (const p of this.params) native.setGrad(p.handle, null);
  }

  /** For each group: the indices, parameter handles and gradient handles of the parameters that have a gradient. */
  protected withGrads(): { group: Group<O>; index: number[]; params: TensorHandle[]; grads: TensorHandle[] }[] {
    return this.groups.map((group) => {
      const index: number[] = [], params: TensorHandle[] = [], grads: TensorHandle[] = [];
      for (const i of group.indices) {
        const p = this.params[i]!;
        const g = native.grad(p.handle); // a new handle on the gradient: the caller frees it
        if (g === null) continue;
        index.push(i); params.push(p.handle); grads.push(g);
      }
      return { group, index, params, grads };
    });
  }

  /** One update of every parameter that has a gradient (under noGrad; temporaries freed before it returns). */
  abstract step(): void;
  /** Optimizer state tensors by name ("i.exp_avg", "i.step", ...) for checkpoints; the optimizer keeps owning them. */
  abstract stateDict(): Map<string, Tensor>;
  /** Restores state saved by stateDict() (values are copied); names the missing, unexpected or mis-shaped keys. */
  abstract loadStateDict(state: Map<string, Tensor>): void;
  /** Frees the state tensors (not the parameters). */
  abstract dispose(): void;

  /** Checks a state dict's keys against `expected` names (a function of the parameter index) and the shapes. */
  protected checkState(state: Map<string, Tensor>, keys: (i: number) => string[], optional: (i: number) => boolean): void {
    const problems: string[] = [];
    const known = new Set<string>();
    this.params.forEach((p, i) => {
      const ks = keys(i);
      ks.forEach((k) => known.add(k));
      const present = ks.filter((k) => state.has(k));
      if (present.length === 0 && optional(i)) return;
      for (const k of ks) {
        const t = state.get(k);
        if (!t) problems.push(`missing key ${k}`);
        else if (!k.endsWith('.step') && t.shape.join(',') !== p.shape.join(',')) problems.push(`${k}: shape [${t.shape.join(', ')}], parameter ${i} has [${p.shape.join(', ')}]`);
      }
    });
    const unexpected = [...state.keys()].filter((k) => !known.has(k));
    if (unexpected.length) problems.push(`unexpected keys: ${unexpected.join(', ')}`);
    if (problems.length) throw new Error(`${this.constructor.name}.loadStateDict: ${problems.join('; ')}`);
  }
}
