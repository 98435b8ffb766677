// Shapes, views and indexing: reshape/view/permute/transpose/expand/squeeze/flatten, slicing, gather/select,
// concatenation and splitting. Views share storage with their source (as in PyTorch).
import { aten, wrap, wrapList, h } from './call.ts';
import type { Tensor } from '../tensor.ts';

const RESHAPE = aten('reshape');
const VIEW = aten('view');
const PERMUTE = aten('permute');
const TRANSPOSE = aten('transpose', 'int');
const EXPAND = aten('expand');
const SQUEEZE = aten('squeeze');
const SQUEEZE_DIM = aten('squeeze', 'dim');
const UNSQUEEZE = aten('unsqueeze');
const FLATTEN = aten('flatten', 'using_ints');
const CONTIGUOUS = aten('contiguous');
const DETACH = aten('detach');

export const reshape = (a: Tensor, shape: number[]): Tensor => wrap(RESHAPE([h(a, 'reshape'), shape]));
export const view = (a: Tensor, shape: number[]): Tensor => wrap(VIEW([h(a, 'view'), shape]));
export const permute = (a: Tensor, dims: number[]): Tensor => wrap(PERMUTE([h(a, 'permute'), dims]));
export const transpose = (a: Tensor, d0: number, d1: number): Tensor => wrap(TRANSPOSE([h(a, 'transpose'), d0, d1]));
export const expand = (a: Tensor, shape: number[]): Tensor => wrap(EXPAND([h(a, 'expand'), shape]));
export const squeeze = (a: Tensor, dim?: number): Tensor =>
  dim === undefined ? wrap(SQUEEZE([h(a, 'squeeze')])) : wrap(SQUEEZE_DIM([h(a, 'squeeze'), dim]));
export const unsqueeze = (a: Tensor, dim: number): Tensor => wrap(UNSQUEEZE([h(a, 'unsqueeze'), dim]));
export const flatten = (a: Tensor, start = 0, end = -1): Tensor => wrap(FLATTEN([h(a, 'flatten'), start, end]));
export const contiguous = (a: Tensor): Tensor => wrap(CONTIGUOUS([h(a, 'contiguous')]));
export const detach = (a: Tensor): Tensor => wrap(DETACH([h(a, 'detach')]));

const SLICE = aten('slice', 'Tensor');
const SELECT = aten('select', 'int');
const NARROW = aten('narrow');
const INDEX_SELECT = aten('index_select');
const GATHER = aten('gather');
const INDEX = aten('index', 'Tensor');
/** a[start:end:step] along dim (negative indices count from the end; undefined = open). */
export const slice = (a: Tensor, dim: number, start?: number, end?: number, step = 1): Tensor =>
  wrap(SLICE([h(a, 'slice'), dim, start ?? null, end ?? null, step]));
export const select = (a: Tensor, dim: number, index: number): Tensor => wrap(SELECT([h(a, 'select'), dim, index]));
export const narrow = (a: Tensor, dim: number, start: number, length: number): Tensor => wrap(NARROW([h(a, 'narrow'), dim, start, length]));
export const indexSelect = (a: Tensor, dim: number, index: Tensor): Tensor =>
  wrap(INDEX_SELECT([h(a, 'index_select'), dim, h(index, 'index_select index')]));
export const gather = (a: Tensor, dim: number, index: Tensor): Tensor => wrap(GATHER([h(a, 'gather'), dim, h(index, 'gather index')]));
/** Advanced indexing a[i0, i1, ...] with index tensors (null = the whole dimension). */
export function index(a: Tensor, indices: (Tensor | null)[]): Tensor {
  const self = h(a, 'index');
  if (!Array.isArray(indices)) throw new TypeError(`index: indices must be an array of index tensors or nulls, got ${indices === null ? 'null' : typeof indices}`);
  const hs = indices.map((t, i) => (t == null ? null : h(t, `index indices[${i}]`)));
  // libtorch 1.13 fails an INTERNAL ASSERT ("ntensor >= 3", "please report a bug") when no index tensor is given
  if (!hs.some((x) => x !== null)) throw new RangeError('index: give at least one index tensor (null only stands for a whole dimension)');
  return wrap(INDEX([self, hs]));
}

const CAT = aten('cat');
const STACK = aten('stack');
const SPLIT = aten('split', 'Tensor');
const SPLIT_SIZES = aten('split_with_sizes');
const CHUNK = aten('chunk');
const UNBIND = aten('unbind', 'int');
const list = (ts: Tensor[], what: string): number[] => {
  if (!Array.isArray(ts)) throw new TypeError(`${what}: expected an array of Tensors, got ${ts === null ? 'null' : typeof ts}`);
  return ts.map((t, i) => h(t, `${what} tensors[${i}]`));
};
export const cat = (ts: Tensor[], dim = 0): Tensor => wrap(CAT([list(ts, 'cat'), dim]));
export const stack = (ts: Tensor[], dim = 0): Tensor => wrap(STACK([list(ts, 'stack'), dim]));
export const split = (a: Tensor, size: number | number[], dim = 0): Tensor[] =>
  Array.isArray(size) ? wrapList(SPLIT_SIZES([h(a, 'split'), size, dim])) : wrapList(SPLIT([h(a, 'split'), size, dim]));
export const chunk = (a: Tensor, chunks: number, dim = 0): Tensor[] => wrapList(CHUNK([h(a, 'chunk'), chunks, dim]));
export const unbind = (a: Tensor, dim = 0): Tensor[] => wrapList(UNBIND([h(a, 'unbind'), dim]));

const TRIL = aten('tril');
const TRIU = aten('triu');
export const tril = (a: Tensor, diagonal = 0): Tensor => wrap(TRIL([h(a, 'tril'), diagonal]));
export const triu = (a: Tensor, diagonal = 0): Tensor => wrap(TRIU([h(a, 'triu'), diagonal]));
const REPEAT = aten('repeat');
export const repeat = (a: Tensor, repeats: number[]): Tensor => wrap(REPEAT([h(a, 'repeat'), repeats]));
const FLIP = aten('flip');
export const flip = (a: Tensor, dims: number[]): Tensor => wrap(FLIP([h(a, 'flip'), dims]));
