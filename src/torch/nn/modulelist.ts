// ModuleList: holds modules as children "0", "1", ... (PyTorch's nn.ModuleList), e.g. nanoGPT's transformer.h.
import { Module } from './module.ts';

export class ModuleList<M extends Module = Module> extends Module {
  constructor(readonly items: M[]) {
    super();
    items.forEach((m, i) => this.child(String(i), m));
  }
  get length(): number { return this.items.length; }
  at(i: number): M | undefined { return this.items.at(i); }
  [Symbol.iterator](): Iterator<M> { return this.items[Symbol.iterator](); }
}
