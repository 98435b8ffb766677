// Messages between the data loader and its worker threads.
import type { Batch, BatchSpec, Norm } from './assemble.ts';

export type LoaderRequest =
  | { type: 'init'; dirs: string[]; spec: BatchSpec; norms: { state: Norm; action: Norm }[] }
  | { type: 'batch'; refs: { dataset: number; frame: number }[] };

export type LoaderReply = { batch: number; ok: true; value: Batch } | { batch: number; ok: false; error: string };
