// Gradient-mode scopes: noGrad(fn) runs fn without recording autograd history (inference, optimizer updates);
// enableGrad(fn) turns it back on inside. Both restore the previous mode even when fn throws.
import { native } from './native.ts';

function withGradMode<T>(on: boolean, fn: () => T): T {
  const prev = native.isGradEnabled();
  native.setGradEnabled(on);
  try {
    const r = fn();
    if (r instanceof Promise) throw new Error('noGrad/enableGrad: fn returned a Promise; grad mode only covers synchronous code');
    return r;
  } finally {
    native.setGradEnabled(prev);
  }
}

export const noGrad = <T>(fn: () => T): T => withGradMode(false, fn);
export const enableGrad = <T>(fn: () => T): T => withGradMode(true, fn);
export const isGradEnabled = (): boolean => native.isGradEnabled();
