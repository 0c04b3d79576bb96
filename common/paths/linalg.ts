/**
 * Dense linear algebra for the Markov model: one linear system solved by
 * Gaussian elimination with partial pivoting, in Float64.
 *
 * The matrices are I - Q of absorbing chains: dense storage, but most
 * entries are zero (a state has only a few successors). Elimination skips
 * zero multipliers and walks only the pivot row's non-zero columns; the
 * skipped updates would have added exactly 0, so the result is the same as
 * the textbook loop, only much faster before fill-in sets in.
 */

/**
 * Solves `a x = b` for one right-hand side. `a` is `n x n`, row-major, and
 * is overwritten (it holds U afterwards); `b` is overwritten with `x`.
 *
 * @throws Error when a pivot is exactly zero (the matrix is singular).
 */
export function solveInPlace(a: Float64Array, n: number, b: Float64Array): Float64Array {
  const cols = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    // Partial pivoting: the largest magnitude in column k at or below the diagonal.
    let p = k;
    let best = Math.abs(a[k * n + k]!);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(a[i * n + k]!);
      if (v > best) {
        best = v;
        p = i;
      }
    }
    if (best === 0) throw new Error(`singular matrix at column ${k}`);
    if (p !== k) swapRows(a, n, b, p, k);
    const rk = k * n;
    const pivot = a[rk + k]!;
    // Non-zero columns of the pivot row right of the diagonal, gathered once per pivot.
    let nc = 0;
    for (let j = k + 1; j < n; j++) if (a[rk + j] !== 0) cols[nc++] = j;
    const bk = b[k]!;
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      const aik = a[ri + k]!;
      if (aik === 0) continue;
      const f = aik / pivot;
      a[ri + k] = 0;
      for (let t = 0; t < nc; t++) {
        const j = cols[t]!;
        a[ri + j] = a[ri + j]! - f * a[rk + j]!;
      }
      if (bk !== 0) b[i] = b[i]! - f * bk;
    }
  }
  // Back substitution on U.
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    let s = b[i]!;
    for (let j = i + 1; j < n; j++) {
      const v = a[ri + j]!;
      if (v !== 0) s -= v * b[j]!;
    }
    b[i] = s / a[ri + i]!;
  }
  return b;
}

function swapRows(a: Float64Array, n: number, b: Float64Array, p: number, k: number): void {
  const rp = p * n;
  const rk = k * n;
  for (let j = 0; j < n; j++) {
    const t = a[rp + j]!;
    a[rp + j] = a[rk + j]!;
    a[rk + j] = t;
  }
  const t = b[p]!;
  b[p] = b[k]!;
  b[k] = t;
}
