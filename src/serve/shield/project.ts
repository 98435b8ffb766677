// The shield's geometry: keep a requested vector inside a box of per-axis intervals and a ball (a norm bound), moving
// it as little as simply possible. Pure numbers, no robot words; shield.ts builds the intervals from the limits.

export interface Interval { lo: number; hi: number }

export const clamp = (v: number, i: Interval): number => (v < i.lo ? i.lo : v > i.hi ? i.hi : v);

/** Per-axis intersection of two boxes (may come out empty: some lo > hi). */
export function intersect(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  return a.map((x, k) => ({ lo: Math.max(x.lo, b[k]!.lo), hi: Math.min(x.hi, b[k]!.hi) }));
}

export const isEmpty = (box: readonly Interval[]): boolean => box.some((i) => !(i.lo <= i.hi));

const norm = (v: readonly number[]): number => Math.sqrt(v.reduce((a, x) => a + x * x, 0));

/**
 * A point of `box` within `radius` of the origin, near `req`: req clamped into the box; if that is too long, the point
 * on the segment from the box's point nearest the origin to it where the norm reaches the radius. Null when the box
 * is empty or lies wholly outside the ball. The result is inside the box exactly and inside the ball up to rounding
 * (a relative 1e-12 is kept in hand).
 */
export function projectBoxBall(req: readonly number[], box: readonly Interval[], radius: number): number[] | null {
  if (isEmpty(box)) return null;
  const w = req.map((v, k) => clamp(v, box[k]!));
  if (norm(w) <= radius) return w;
  const c = box.map((i) => clamp(0, i));
  const cn = norm(c);
  if (cn > radius) return null;
  const u = w.map((v, k) => v - c[k]!);
  const a = u.reduce((s, x) => s + x * x, 0), b = 2 * c.reduce((s, x, k) => s + x * u[k]!, 0), cc = cn * cn - radius * radius;
  let s = a > 0 ? (-b + Math.sqrt(Math.max(0, b * b - 4 * a * cc))) / (2 * a) : 0;
  s = Math.min(1, Math.max(0, s)) * (1 - 1e-12);
  const out = c.map((v, k) => clamp(v + s * u[k]!, box[k]!));
  return norm(out) <= radius * (1 + 1e-12) ? out : c;
}
