r"""Compiled kernel of :func:`batna.games.batch.equilibria_batch`.

One loop over a stack of games; for each game it performs exactly the steps of
:func:`batna.games.solve` (module :mod:`batna.games.equilibria`), reproducing
its floating-point decisions as far as they depend on the order of
operations:

1. map each matrix affinely onto [1, 2] (same formula, same overflow guard);
2. enumerate the vertices of each best-response polytope by trying every set
   of tight constraints in the order of ``itertools.combinations`` (the
   origin is skipped: it is never degenerate, never within ``tol`` of another
   vertex and never part of an equilibrium), keeping feasible solutions up to
   ``tol`` and merging a solution into the first kept vertex within ``tol``
   (max norm);
3. record the tight constraints of each vertex as a bit mask of labels, flag
   the game degenerate if a vertex has more tight constraints than the
   dimension, pair vertices whose masks cover all labels, clean and normalise
   the strategies as :func:`batna.games.equilibria._clean` does (numpy's
   summation order included) and sort the pairs by the same key.

Differences from :func:`batna.games.solve`, all at the level of rounding:

- a basis is solved as the reduced ``k x k`` system on its support
  (``C[T, S] z_S = 1``, the other coordinates being 0) in closed form for
  ``k <= 2`` and by Gaussian elimination with partial pivoting otherwise, not
  as the full ``d x d`` system by LAPACK; it is skipped as singular when a
  pivot is below ``1e-12`` times the largest entry (``solve`` uses the
  singular values of the full system). Entries lie in
  [1, 2], so the two tests differ only for bases within a few orders of
  magnitude of ``1e-12`` of singularity;
- dot products are summed left to right, so slacks, payoffs and regrets can
  differ from numpy's in the last bits.

For 3 x 3 games :func:`batna.games.batch.equilibria_batch` uses the
specialised kernel of :mod:`batna.games._kernel33`, which performs the same
operations in the same order (bit-identical results, checked by the tests).

The kernel is compiled with numba when it is installed; otherwise the same
functions run as plain Python (correct, but far slower; not benchmarked).
"""

from __future__ import annotations

import numpy as np

try:  # pragma: no cover - exercised only where numba is missing
    from numba import njit
except ImportError:  # pragma: no cover
    def njit(*args, **kwargs):
        if args and callable(args[0]):
            return args[0]
        return lambda f: f

__all__ = ["enumerate_stack", "HAVE_NUMBA"]

try:
    import numba as _numba  # noqa: F401

    HAVE_NUMBA = True
except ImportError:  # pragma: no cover
    HAVE_NUMBA = False

_RCOND = 1e-12


@njit(cache=True, error_model="numpy")
def _npsum(a, n):
    """``numpy.sum`` of ``a[:n]`` in numpy's order (pairwise, blocks of 8)."""
    if n < 8:
        res = 0.0
        for i in range(n):
            res += a[i]
        return res
    r0 = a[0]
    r1 = a[1]
    r2 = a[2]
    r3 = a[3]
    r4 = a[4]
    r5 = a[5]
    r6 = a[6]
    r7 = a[7]
    i = 8
    while i < n - (n % 8):
        r0 += a[i]
        r1 += a[i + 1]
        r2 += a[i + 2]
        r3 += a[i + 3]
        r4 += a[i + 4]
        r5 += a[i + 5]
        r6 += a[i + 6]
        r7 += a[i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[i]
        i += 1
    return res


@njit(cache=True, error_model="numpy")
def _normalise_into(M, out, transpose):
    """``batna.games.equilibria._normalise(M) + 1`` written to ``out`` (or its transpose)."""
    m, n = M.shape
    lo = M[0, 0]
    hi = M[0, 0]
    for i in range(m):
        for j in range(n):
            v = M[i, j]
            if v < lo:
                lo = v
            if v > hi:
                hi = v
    rng = hi - lo
    for i in range(m):
        for j in range(n):
            if hi == lo:
                v = 0.0
            elif np.isfinite(rng):
                v = (M[i, j] - lo) / rng
            else:
                v = (M[i, j] * 0.5 - lo * 0.5) / (hi * 0.5 - lo * 0.5)
            if transpose:
                out[j, i] = v + 1.0
            else:
                out[i, j] = v + 1.0


@njit(cache=True, error_model="numpy")
def _solve_reduced(C, k, S, T, Msys, sol):
    """Solve ``C[T, S] z = 1`` (k x k) into ``sol[:k]`` by Gaussian elimination
    with partial pivoting; False if a pivot is below ``_RCOND`` times the
    largest entry (singular basis)."""
    big = 0.0
    for p in range(k):
        for q in range(k):
            v = C[T[p], S[q]]
            Msys[p, q] = v
            if abs(v) > big:
                big = abs(v)
        sol[p] = 1.0
    for c in range(k):
        piv = c
        pv = abs(Msys[c, c])
        for p in range(c + 1, k):
            if abs(Msys[p, c]) > pv:
                pv = abs(Msys[p, c])
                piv = p
        if not (pv > _RCOND * big):
            return False
        if piv != c:
            for q in range(c, k):
                t = Msys[c, q]
                Msys[c, q] = Msys[piv, q]
                Msys[piv, q] = t
            t = sol[c]
            sol[c] = sol[piv]
            sol[piv] = t
        for p in range(c + 1, k):
            f = Msys[p, c] / Msys[c, c]
            if f != 0.0:
                for q in range(c + 1, k):
                    Msys[p, q] -= f * Msys[c, q]
                sol[p] -= f * sol[c]
    for c in range(k - 1, -1, -1):
        s = sol[c]
        for q in range(c + 1, k):
            s -= Msys[c, q] * sol[q]
        sol[c] = s / Msys[c, c]
    return True


@njit(cache=True, error_model="numpy")
def _vertices(C, kk, SS, TT, tol, zero_off, row_off, V, masks, Msys, sol, colmax):
    """Nonzero vertices of ``{z >= 0, C z <= 1}`` and their label masks.

    ``C`` has shape (r, d). Basis ``b`` makes the ``kk[b]`` rows ``TT[b]``
    tight on the support ``SS[b]`` (all other coordinates zero). Label of
    ``z_i >= 0`` is ``zero_off + i``, of row ``p`` is ``row_off + p``.
    Writes vertices to ``V`` and masks to ``masks``; returns
    ``(count, degenerate)``.
    """
    r, d = C.shape
    nv = 0
    degenerate = False
    for i in range(d):  # column maxima: basis {z_s > 0, row t tight} is feasible iff C[t, s] is one
        cm = C[0, i]
        for p in range(1, r):
            if C[p, i] > cm:
                cm = C[p, i]
        colmax[i] = cm
    for b in range(kk.shape[0]):
        k = kk[b]
        if k == 0:
            continue
        ok = True
        if k == 1:  # z_s = 1 / C[t, s]
            s0 = SS[b, 0]
            z0 = 1.0 / C[TT[b, 0], s0]
            sol[0] = z0
            # C >= 1 so z0 is positive and finite; max_p C[p, s0] * z0 = colmax * z0 exactly
            if not (colmax[s0] * z0 - 1.0 <= tol):
                continue
        elif k == 2:  # Cramer's rule; singular test as for elimination with partial pivoting
            s0 = SS[b, 0]
            s1 = SS[b, 1]
            a11 = C[TT[b, 0], s0]
            a12 = C[TT[b, 0], s1]
            a21 = C[TT[b, 1], s0]
            a22 = C[TT[b, 1], s1]
            big = max(abs(a11), abs(a12), abs(a21), abs(a22))
            det = a11 * a22 - a12 * a21
            if not (abs(det) > _RCOND * big * max(abs(a11), abs(a21))):
                continue
            z0 = (a22 - a12) / det
            z1 = (a11 - a21) / det
            if not (z0 >= -tol and z1 >= -tol) or not (np.isfinite(z0) and np.isfinite(z1)):
                continue
            worst = -np.inf
            for p in range(r):
                worst = max(worst, C[p, s0] * z0 + C[p, s1] * z1 - 1.0)
            if not (worst <= tol):
                continue
            sol[0] = z0
            sol[1] = z1
        else:
            if not _solve_reduced(C, k, SS[b], TT[b], Msys, sol):
                continue
            for q in range(k):
                if not (sol[q] >= -tol) or not np.isfinite(sol[q]):
                    ok = False
                    break
            if not ok:
                continue
            for p in range(r):
                s = 0.0
                for q in range(k):
                    s += C[p, SS[b, q]] * sol[q]
                if not (s - 1.0 <= tol):
                    ok = False
                    break
            if not ok:
                continue
        # write into slot nv, then test for a duplicate
        for i in range(d):
            V[nv, i] = 0.0
        for q in range(k):
            V[nv, SS[b, q]] = sol[q]
        dup = False
        for u in range(nv):
            close = True
            for i in range(d):
                if abs(V[u, i] - V[nv, i]) > tol:
                    close = False
                    break
            if close:
                dup = True
                break
        if dup:
            continue
        mask = np.int64(0)
        nt = 0
        for i in range(d):
            if abs(V[nv, i]) <= tol:
                mask |= np.int64(1) << (zero_off + i)
                nt += 1
        for p in range(r):
            s = 0.0
            for i in range(d):
                s += C[p, i] * V[nv, i]
            if abs(s - 1.0) <= tol:
                mask |= np.int64(1) << (row_off + p)
                nt += 1
        if nt > d:
            degenerate = True
        masks[nv] = mask
        nv += 1
    return nv, degenerate


@njit(cache=True, error_model="numpy")
def _clean_rows(V, nv, d, tol, out, keys, buf, used):
    """``_clean(v / v.sum(), tol)`` of each used vertex, and its rounded sort key."""
    for a in range(nv):
        if not used[a]:
            continue
        for i in range(d):
            buf[i] = V[a, i]
        tot = _npsum(buf, d)
        for i in range(d):
            p = buf[i] / tot
            buf[i] = 0.0 if p < tol else p
        tot = _npsum(buf, d)
        best = 0
        for i in range(d):
            buf[i] = buf[i] / tot
            if buf[i] > buf[best]:
                best = i
        buf[best] += 1.0 - _npsum(buf, d)
        for i in range(d):
            out[a, i] = buf[i]
            keys[a, i] = np.rint(buf[i] * 1e12) / 1e12


@njit(cache=True, error_model="numpy")
def _before(ka, kb, a1, b1, a2, b2):
    """Lexicographic order of (rounded x, rounded y, a, b) of two pairs."""
    for i in range(ka.shape[1]):
        if ka[a1, i] != ka[a2, i]:
            return ka[a1, i] < ka[a2, i]
    for i in range(kb.shape[1]):
        if kb[b1, i] != kb[b2, i]:
            return kb[b1, i] < kb[b2, i]
    if a1 != a2:
        return a1 < a2
    return b1 < b2


@njit(cache=True, error_model="numpy")
def enumerate_stack(A, B, tol, kP, SP, TP, kQ, SQ, TQ, start,
                    rows, cols, pays, regs, gidx, pos, count, degen):
    """Equilibria of games ``start, start+1, ...`` of the stacks ``A``, ``B`` (N x m x n).

    Results are appended at ``pos`` of the output buffers ``rows`` (cap x m),
    ``cols`` (cap x n), ``pays`` (cap x 2), ``regs`` (cap) and ``gidx``
    (cap); per game ``count`` and ``degen`` are written. Stops before a game
    whose equilibria do not fit. Returns ``(next game, next position)``.
    """
    N, m, n = A.shape
    full = (np.int64(1) << (m + n)) - 1
    CP = np.empty((n, m))   # Bn^T: P = {x >= 0, Bn^T x <= 1}
    CQ = np.empty((m, n))   # An:   Q = {y >= 0, An y <= 1}
    VP = np.empty((kP.shape[0], m))
    VQ = np.empty((kQ.shape[0], n))
    mP = np.empty(kP.shape[0], np.int64)
    mQ = np.empty(kQ.shape[0], np.int64)
    d = max(m, n)
    Msys = np.empty((d, d))
    sol = np.empty(d)
    buf = np.empty(d)
    XP = np.empty((kP.shape[0], m))
    KP = np.empty((kP.shape[0], m))
    XQ = np.empty((kQ.shape[0], n))
    KQ = np.empty((kQ.shape[0], n))
    uP = np.zeros(kP.shape[0], np.bool_)
    uQ = np.zeros(kQ.shape[0], np.bool_)
    pa = np.empty(64, np.int64)
    pb = np.empty(64, np.int64)
    Ay = np.empty(m)
    xB = np.empty(n)
    cap = rows.shape[0]
    g = start
    while g < N:
        Ag = A[g]
        Bg = B[g]
        _normalise_into(Bg, CP, True)
        _normalise_into(Ag, CQ, False)
        nvP, dgP = _vertices(CP, kP, SP, TP, tol, 0, m, VP, mP, Msys, sol, buf)
        nvQ, dgQ = _vertices(CQ, kQ, SQ, TQ, tol, m, 0, VQ, mQ, Msys, sol, buf)
        # completely labelled pairs
        npairs = 0
        for a in range(nvP):
            uP[a] = False
        for b in range(nvQ):
            uQ[b] = False
        for a in range(nvP):
            for b in range(nvQ):
                if (mP[a] | mQ[b]) == full:
                    if npairs == pa.shape[0]:
                        pa2 = np.empty(2 * npairs, np.int64)
                        pb2 = np.empty(2 * npairs, np.int64)
                        pa2[:npairs] = pa
                        pb2[:npairs] = pb
                        pa = pa2
                        pb = pb2
                    pa[npairs] = a
                    pb[npairs] = b
                    npairs += 1
                    uP[a] = True
                    uQ[b] = True
        if pos + npairs > cap:
            return g, pos
        _clean_rows(VP, nvP, m, tol, XP, KP, buf, uP)
        _clean_rows(VQ, nvQ, n, tol, XQ, KQ, buf, uQ)
        # insertion sort of the pairs by (key x, key y, a, b)
        for s in range(1, npairs):
            a1 = pa[s]
            b1 = pb[s]
            t = s - 1
            while t >= 0 and _before(KP, KQ, a1, b1, pa[t], pb[t]):
                pa[t + 1] = pa[t]
                pb[t + 1] = pb[t]
                t -= 1
            pa[t + 1] = a1
            pb[t + 1] = b1
        for s in range(npairs):
            a = pa[s]
            b = pb[s]
            for i in range(m):
                rows[pos, i] = XP[a, i]
            for j in range(n):
                cols[pos, j] = XQ[b, j]
            # payoffs (x A) y, (x B) y and regret, in original units
            pA = 0.0
            pB = 0.0
            for j in range(n):
                sa = 0.0
                sb = 0.0
                for i in range(m):
                    sa += XP[a, i] * Ag[i, j]
                    sb += XP[a, i] * Bg[i, j]
                pA += sa * XQ[b, j]
                pB += sb * XQ[b, j]
                xB[j] = sb
            xAy = 0.0
            for i in range(m):
                s2 = 0.0
                for j in range(n):
                    s2 += Ag[i, j] * XQ[b, j]
                Ay[i] = s2
                xAy += XP[a, i] * s2
            reg = max(Ay.max() - xAy, xB.max() - pB, 0.0)
            pays[pos, 0] = pA
            pays[pos, 1] = pB
            regs[pos] = reg
            gidx[pos] = g
            pos += 1
        count[g] = npairs
        degen[g] = dgP or dgQ
        g += 1
    return g, pos
