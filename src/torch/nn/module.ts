// Module: the base of every layer. Holds named parameters, buffers and child modules, with PyTorch's naming
// ("layers.0.self_attn.in_proj_weight") so that state dicts map key for key; train/eval modes; state dict
// export/import with errors that name missing, unexpected and mis-shaped keys; deterministic disposal.
// Who frees what: parameters and buffers are kept (tidy never frees them) and belong to the module until
// module.dispose(); stateDict() hands out those very tensors (don't dispose them); loadStateDict() copies values and
// leaves the dict's tensors to the caller; forward() results belong to the caller (or the enclosing tidy).
import { Tensor } from '../tensor.ts';
import { keep } from '../scope.ts';
import { noGrad } from '../autograd.ts';

export type StateDict = Map<string, Tensor>;

export abstract class Module {
  training = true;
  private readonly params = new Map<string, Tensor | null>();
  private readonly buffers = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();

  /** Registers a trainable parameter (kept out of tidy scopes, requires grad). */
  protected param(name: string, t: Tensor): Tensor {
    keep(t);
    if (!t.requiresGrad) t.requiresGrad = true;
    this.params.set(name, t);
    return t;
  }
  /** Registers a non-trainable tensor saved in the state dict (e.g. running statistics, position tables). */
  protected buffer(name: string, t: Tensor): Tensor {
    keep(t);
    this.buffers.set(name, t);
    return t;
  }
  /**
   * Makes this module's parameter `name` be the tensor `t` (weight tying, as nanoGPT's
   * `lm_head.weight = wte.weight`): the old tensor is freed, and fields of this module that held it now hold `t`.
   * Shapes must match. namedParameters()/parameters() list a shared tensor once; stateDict() under each name.
   */
  tieParameter(name: string, t: Tensor): void {
    const old = this.params.get(name);
    if (!old) throw new Error(`tieParameter: ${this.constructor.name} has no parameter '${name}' (it has: ${[...this.params.keys()].join(', ')})`);
    if (old.shape.join(',') !== t.shape.join(',')) {
      throw new Error(`tieParameter: '${name}' has shape [${old.shape.join(', ')}], the tensor [${t.shape.join(', ')}]`);
    }
    if (old === t) return;
    this.param(name, t);
    const fields = this as unknown as Record<string, unknown>;
    for (const k of Object.keys(fields)) if (fields[k] === old) fields[k] = t;
    old.dispose();
  }
  /** Registers a child module under `name`. */
  protected child<M extends Module>(name: string, m: M): M {
    this.children.set(name, m);
    return m;
  }

  /**
   * Parameters with their dotted names, each tensor once (a tensor shared by two modules, e.g. tied embedding and
   * output weights, is listed under its first name, as PyTorch does); stateDict() lists every name.
   */
  namedParameters(prefix = ''): [string, Tensor][] {
    const seen = new Set<Tensor>();
    return this.allNamedParameters(prefix).filter(([, p]) => !seen.has(p) && seen.add(p));
  }
  private allNamedParameters(prefix: string): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, p] of this.params) if (p) out.push([prefix + n, p]);
    for (const [n, c] of this.children) out.push(...c.allNamedParameters(`${prefix}${n}.`));
    return out;
  }
  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }
  namedBuffers(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, b] of this.buffers) out.push([prefix + n, b]);
    for (const [n, c] of this.children) out.push(...c.namedBuffers(`${prefix}${n}.`));
    return out;
  }
  namedChildren(): [string, Module][] {
    return [...this.children];
  }
  /** Total number of parameter elements. */
  numParameters(): number {
    return this.parameters().reduce((s, p) => s + p.numel, 0);
  }

  train(on = true): this {
    this.training = on;
    for (const c of this.children.values()) c.train(on);
    return this;
  }
  eval(): this {
    return this.train(false);
  }

  /** Drops every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Parameters and buffers by name (the tensors themselves, not copies), every name of a shared tensor included. */
  stateDict(): StateDict {
    return new Map([...this.allNamedParameters(''), ...this.namedBuffers()]);
  }

  /**
   * Copies values from `dict` into this module's tensors. strict (default): every key must match exactly.
   * Shapes must match; dtypes are converted. Nothing is changed when any check fails.
   */
  loadStateDict(dict: Map<string, Tensor> | Record<string, Tensor>, opts: { strict?: boolean } = {}): { missing: string[]; unexpected: string[] } {
    const src = dict instanceof Map ? dict : new Map(Object.entries(dict));
    const own = this.stateDict();
    const missing = [...own.keys()].filter((k) => !src.has(k));
    const unexpected = [...src.keys()].filter((k) => !own.has(k));
    const problems: string[] = [];
    if (opts.strict ?? true) {
      if (missing.length) problems.push(`missing keys: ${missing.join(', ')}`);
      if (unexpected.length) problems.push(`unexpected keys: ${unexpected.join(', ')}`);
    }
    for (const [k, t] of own) {
      const s = src.get(k);
      if (s && s.shape.join(',') !== t.shape.join(',')) {
        problems.push(`${k}: shape [${s.shape.join(', ')}] in the state dict, [${t.shape.join(', ')}] in the model`);
      }
    }
    if (problems.length) throw new Error(`loadStateDict: ${problems.join('; ')}`);
    noGrad(() => {
      for (const [k, t] of own) {
        const s = src.get(k);
        if (s) t.copy_(s);
      }
    });
    return { missing, unexpected };
  }

  /** Frees every parameter and buffer of this module and its children (a shared tensor once: dispose is idempotent). */
  dispose(): void {
    for (const p of this.params.values()) p?.dispose();
    for (const b of this.buffers.values()) b.dispose();
    for (const c of this.children.values()) c.dispose();
  }
}
