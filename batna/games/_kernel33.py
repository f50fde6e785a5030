r"""Compiled kernel of :func:`batna.games.batch.equilibria_batch` for 3 x 3 games.

The same computation as :func:`batna.games._kernels.enumerate_stack`, operation
for operation, so the results are identical (``tests/test_batch.py`` compares
every output array of the two kernels with ``numpy.array_equal`` on
engagement, Gaussian, integer and all-equal games), specialised to ``m = n =
3``, the size of the engagement games of :mod:`batna.engagement`:

- the 19 nonzero candidate bases of each best-response polytope are constant
  tables (support ``S`` and tight rows ``T`` of each basis, in the order of
  ``itertools.combinations`` used by :func:`batna.games.solve`), and every
  inner loop has a compile-time trip count of 3;
- 1 x 1 bases are solved as ``1 / C[t, s]``, 2 x 2 bases by Cramer's rule and
  the single 3 x 3 basis by Gaussian elimination with partial pivoting
  unrolled on scalars, with exactly the expressions and the order of
  operations of the general kernel;
- payoffs and regrets are computed on scalars (the game's 18 payoffs loaded
  once per game), summed left to right from 0.0 as the general kernel does;
- vertices, label masks, cleaned strategies and pairs live in work arrays
  allocated once per call (at most 19 vertices per polytope and 19 x 19
  pairs), never per game;
- sort keys are ``rint(p * 1e12)`` rather than ``rint(p * 1e12) / 1e12``:
  the division by 1e12 is strictly increasing on these integers (at most
  about 1e12), so the order and the ties are the same.

Output goes to caller-provided buffers as in the general kernel: the kernel
stops before a game whose equilibria do not fit and returns ``(next game,
next position)``.
"""

from __future__ import annotations

import numpy as np

from batna.games._kernels import _RCOND, njit

__all__ = ["enumerate_stack33"]

# Bases of P = {x >= 0, Bn^T x <= 1} (constraints x_0..x_2 >= 0, then columns
# 0..2 of B tight) and of Q = {An y <= 1, y >= 0} (rows 0..2 tight, then
# y_0..y_2 >= 0), in itertools.combinations(range(6), 3) order, the origin
# left out: k = size of the basis system, S = support, T = tight rows of C.
def _tables():
    from itertools import combinations

    SP, TP, SQ, TQ = [], [], [], []
    for c in combinations(range(6), 3):
        zP = {i for i in c if i < 3}
        tP = [j - 3 for j in c if j >= 3]
        zQ = {j - 3 for j in c if j >= 3}
        tQ = [i for i in c if i < 3]
        if tP:
            SP.append([i for i in range(3) if i not in zP] + [-1] * (3 - len(tP)))
            TP.append(tP + [-1] * (3 - len(tP)))
        if tQ:
            SQ.append([i for i in range(3) if i not in zQ] + [-1] * (3 - len(tQ)))
            TQ.append(tQ + [-1] * (3 - len(tQ)))
    return (np.array(SP, np.int64), np.array(TP, np.int64),
            np.array(SQ, np.int64), np.array(TQ, np.int64))


_SP, _TP, _SQ, _TQ = _tables()
_KP = (_TP >= 0).sum(axis=1)
_KQ = (_TQ >= 0).sum(axis=1)


@njit(cache=True, error_model="numpy", inline="always")
def _norm33(M, g, out, transpose):
    """``batna.games.equilibria._normalise(M[g]) + 1`` of the 3 x 3 ``M[g]`` into ``out`` (or its transpose)."""
    lo = M[g, 0, 0]
    hi = M[g, 0, 0]
    for i in range(3):
        for j in range(3):
            v = M[g, i, j]
            if v < lo:
                lo = v
            if v > hi:
                hi = v
    rng = hi - lo
    fin = np.isfinite(rng)
    for i in range(3):
        for j in range(3):
            if hi == lo:
                v = 0.0
            elif fin:
                v = (M[g, i, j] - lo) / rng
            else:
                v = (M[g, i, j] * 0.5 - lo * 0.5) / (hi * 0.5 - lo * 0.5)
            if transpose:
                out[j, i] = v + 1.0
            else:
                out[i, j] = v + 1.0


@njit(cache=True, error_model="numpy")
def _verts33(C, KK, SS, TT, tol, zero_off, row_off, V, masks):
    """Nonzero vertices of ``{z >= 0, C z <= 1}`` (C is 3 x 3) and their label masks.

    Same decisions and arithmetic as :func:`batna.games._kernels._vertices`.
    Returns ``(count, degenerate)``.
    """
    nv = 0
    degenerate = False
    cm0 = max(C[0, 0], C[1, 0], C[2, 0])
    cm1 = max(C[0, 1], C[1, 1], C[2, 1])
    cm2 = max(C[0, 2], C[1, 2], C[2, 2])
    for b in range(19):
        k = KK[b]
        z0 = 0.0
        z1 = 0.0
        z2 = 0.0
        if k == 1:
            s0 = SS[b, 0]
            z0 = 1.0 / C[TT[b, 0], s0]
            cm = cm0 if s0 == 0 else (cm1 if s0 == 1 else cm2)
            if not (cm * z0 - 1.0 <= tol):
                continue
        elif k == 2:
            s0 = SS[b, 0]
            s1 = SS[b, 1]
            t0 = TT[b, 0]
            t1 = TT[b, 1]
            a11 = C[t0, s0]
            a12 = C[t0, s1]
            a21 = C[t1, s0]
            a22 = C[t1, s1]
            big = max(abs(a11), abs(a12), abs(a21), abs(a22))
            det = a11 * a22 - a12 * a21
            if not (abs(det) > _RCOND * big * max(abs(a11), abs(a21))):
                continue
            z0 = (a22 - a12) / det
            z1 = (a11 - a21) / det
            if not (z0 >= -tol and z1 >= -tol) or not (np.isfinite(z0) and np.isfinite(z1)):
                continue
            w0 = C[0, s0] * z0 + C[0, s1] * z1 - 1.0
            w1 = C[1, s0] * z0 + C[1, s1] * z1 - 1.0
            w2 = C[2, s0] * z0 + C[2, s1] * z1 - 1.0
            if not (max(max(max(-np.inf, w0), w1), w2) <= tol):
                continue
        else:  # the full basis: S = T = (0, 1, 2)
            ok, z0, z1, z2 = _solve33(C)
            if not ok:
                continue
            if not (z0 >= -tol) or not np.isfinite(z0):
                continue
            if not (z1 >= -tol) or not np.isfinite(z1):
                continue
            if not (z2 >= -tol) or not np.isfinite(z2):
                continue
            ok = True
            for p in range(3):
                s = 0.0
                s += C[p, 0] * z0
                s += C[p, 1] * z1
                s += C[p, 2] * z2
                if not (s - 1.0 <= tol):
                    ok = False
                    break
            if not ok:
                continue
        # vertex in full coordinates
        v0 = 0.0
        v1 = 0.0
        v2 = 0.0
        if k == 3:
            v0 = z0
            v1 = z1
            v2 = z2
        else:
            s0 = SS[b, 0]
            if s0 == 0:
                v0 = z0
            elif s0 == 1:
                v1 = z0
            else:
                v2 = z0
            if k == 2:
                s1 = SS[b, 1]
                if s1 == 1:
                    v1 = z1
                else:
                    v2 = z1
        dup = False
        for u in range(nv):
            if abs(V[u, 0] - v0) > tol:
                continue
            if abs(V[u, 1] - v1) > tol:
                continue
            if abs(V[u, 2] - v2) > tol:
                continue
            dup = True
            break
        if dup:
            continue
        V[nv, 0] = v0
        V[nv, 1] = v1
        V[nv, 2] = v2
        mask = np.int64(0)
        nt = 0
        if abs(v0) <= tol:
            mask |= np.int64(1) << zero_off
            nt += 1
        if abs(v1) <= tol:
            mask |= np.int64(1) << (zero_off + 1)
            nt += 1
        if abs(v2) <= tol:
            mask |= np.int64(1) << (zero_off + 2)
            nt += 1
        for p in range(3):
            s = 0.0
            s += C[p, 0] * v0
            s += C[p, 1] * v1
            s += C[p, 2] * v2
            if abs(s - 1.0) <= tol:
                mask |= np.int64(1) << (row_off + p)
                nt += 1
        if nt > 3:
            degenerate = True
        masks[nv] = mask
        nv += 1
    return nv, degenerate


@njit(cache=True, error_model="numpy", inline="always")
def _solve33(C):
    """``C z = 1`` by the elimination of :func:`batna.games._kernels._solve_reduced`.

    The same operations in the same order (partial pivoting on the first
    largest entry, row swaps, eliminations skipped for a zero factor, back
    substitution), unrolled on scalars. Returns ``(ok, z0, z1, z2)``; ``ok``
    is False if a pivot is below ``_RCOND`` times the largest entry.
    """
    a00 = C[0, 0]
    a01 = C[0, 1]
    a02 = C[0, 2]
    a10 = C[1, 0]
    a11 = C[1, 1]
    a12 = C[1, 2]
    a20 = C[2, 0]
    a21 = C[2, 1]
    a22 = C[2, 2]
    b0 = 1.0
    b1 = 1.0
    b2 = 1.0
    big = max(abs(a00), abs(a01), abs(a02), abs(a10), abs(a11), abs(a12), abs(a20), abs(a21), abs(a22))
    lim = _RCOND * big
    # column 0
    pv = abs(a00)
    piv = 0
    if abs(a10) > pv:
        pv = abs(a10)
        piv = 1
    if abs(a20) > pv:
        pv = abs(a20)
        piv = 2
    if not (pv > lim):
        return False, 0.0, 0.0, 0.0
    if piv == 1:
        a00, a01, a02, a10, a11, a12 = a10, a11, a12, a00, a01, a02
    elif piv == 2:
        a00, a01, a02, a20, a21, a22 = a20, a21, a22, a00, a01, a02
    # (b0, b1, b2 are all 1.0 here, so swapping them changes nothing)
    f = a10 / a00
    if f != 0.0:
        a11 -= f * a01
        a12 -= f * a02
        b1 -= f * b0
    f = a20 / a00
    if f != 0.0:
        a21 -= f * a01
        a22 -= f * a02
        b2 -= f * b0
    # column 1
    pv = abs(a11)
    if abs(a21) > pv:
        pv = abs(a21)
        a11, a12, b1, a21, a22, b2 = a21, a22, b2, a11, a12, b1
    if not (pv > lim):
        return False, 0.0, 0.0, 0.0
    f = a21 / a11
    if f != 0.0:
        a22 -= f * a12
        b2 -= f * b1
    # column 2
    if not (abs(a22) > lim):
        return False, 0.0, 0.0, 0.0
    z2 = b2 / a22
    s = b1
    s -= a12 * z2
    z1 = s / a11
    s = b0
    s -= a01 * z1
    s -= a02 * z2
    z0 = s / a00
    return True, z0, z1, z2


@njit(cache=True, error_model="numpy", inline="always")
def _clean33(V, a, tol, out, keys):
    """``_clean(v / v.sum(), tol)`` of vertex ``a`` and its rounded sort key (as the general kernel)."""
    b0 = V[a, 0]
    b1 = V[a, 1]
    b2 = V[a, 2]
    tot = 0.0
    tot += b0
    tot += b1
    tot += b2
    b0 = b0 / tot
    b1 = b1 / tot
    b2 = b2 / tot
    b0 = 0.0 if b0 < tol else b0
    b1 = 0.0 if b1 < tol else b1
    b2 = 0.0 if b2 < tol else b2
    tot = 0.0
    tot += b0
    tot += b1
    tot += b2
    b0 = b0 / tot
    b1 = b1 / tot
    b2 = b2 / tot
    s = 0.0
    s += b0
    s += b1
    s += b2
    r = 1.0 - s
    if b1 > b0 and b1 >= b2:  # first largest entry, as the general kernel's scan
        b1 += r
    elif b2 > b0 and b2 > b1:
        b2 += r
    else:
        b0 += r
    out[a, 0] = b0
    out[a, 1] = b1
    out[a, 2] = b2
    # The general kernel's key is rint(p * 1e12) / 1e12; dividing the integers
    # rint(p * 1e12) (at most ~1e12 in magnitude) by 1e12 is strictly increasing,
    # so comparing them undivided gives the same order and the same ties.
    keys[a, 0] = np.rint(b0 * 1e12)
    keys[a, 1] = np.rint(b1 * 1e12)
    keys[a, 2] = np.rint(b2 * 1e12)


@njit(cache=True, error_model="numpy", inline="always")
def _nanmax3(u, v, w):
    """``numpy.max`` of three numbers: the largest, or NaN if one is NaN."""
    m = u
    if v > m or v != v:
        m = v
    if w > m or w != w:
        m = w
    return m


@njit(cache=True, error_model="numpy", inline="always")
def _before33(KP, KQ, a1, b1, a2, b2):
    """Lexicographic order of (rounded x, rounded y, a, b) of two pairs."""
    for i in range(3):
        if KP[a1, i] != KP[a2, i]:
            return KP[a1, i] < KP[a2, i]
    for i in range(3):
        if KQ[b1, i] != KQ[b2, i]:
            return KQ[b1, i] < KQ[b2, i]
    if a1 != a2:
        return a1 < a2
    return b1 < b2


@njit(cache=True, error_model="numpy")
def enumerate_stack33(A, B, tol, start, rows, cols, pays, regs, gidx, pos, count, degen):
    """Equilibria of games ``start, start+1, ...`` of the 3 x 3 stacks ``A``, ``B`` (N x 3 x 3).

    Same contract as :func:`batna.games._kernels.enumerate_stack` without the
    basis tables: results are appended at ``pos`` of ``rows`` (cap x 3),
    ``cols`` (cap x 3), ``pays`` (cap x 2), ``regs`` and ``gidx`` (cap); per
    game ``count`` and ``degen`` are written. Stops before a game whose
    equilibria do not fit. Returns ``(next game, next position)``.
    """
    N = A.shape[0]
    full = np.int64(63)
    CP = np.empty((3, 3))
    CQ = np.empty((3, 3))
    VP = np.empty((19, 3))
    VQ = np.empty((19, 3))
    mP = np.empty(19, np.int64)
    mQ = np.empty(19, np.int64)
    XP = np.empty((19, 3))
    KeyP = np.empty((19, 3))
    XQ = np.empty((19, 3))
    KeyQ = np.empty((19, 3))
    uP = np.zeros(19, np.bool_)
    uQ = np.zeros(19, np.bool_)
    pa = np.empty(361, np.int64)
    pb = np.empty(361, np.int64)
    cap = rows.shape[0]
    g = start
    while g < N:
        _norm33(B, g, CP, True)
        _norm33(A, g, CQ, False)
        nvP, dgP = _verts33(CP, _KP, _SP, _TP, tol, 0, 3, VP, mP)
        nvQ, dgQ = _verts33(CQ, _KQ, _SQ, _TQ, tol, 3, 0, VQ, mQ)
        npairs = 0
        for a in range(nvP):
            uP[a] = False
        for b in range(nvQ):
            uQ[b] = False
        for a in range(nvP):
            ma = mP[a]
            for b in range(nvQ):
                if (ma | mQ[b]) == full:
                    pa[npairs] = a
                    pb[npairs] = b
                    npairs += 1
                    uP[a] = True
                    uQ[b] = True
        if pos + npairs > cap:
            return g, pos
        for a in range(nvP):
            if uP[a]:
                _clean33(VP, a, tol, XP, KeyP)
        for b in range(nvQ):
            if uQ[b]:
                _clean33(VQ, b, tol, XQ, KeyQ)
        for s in range(1, npairs):
            a1 = pa[s]
            b1 = pb[s]
            t = s - 1
            while t >= 0 and _before33(KeyP, KeyQ, a1, b1, pa[t], pb[t]):
                pa[t + 1] = pa[t]
                pb[t + 1] = pb[t]
                t -= 1
            pa[t + 1] = a1
            pb[t + 1] = b1
        a00 = A[g, 0, 0]
        a01 = A[g, 0, 1]
        a02 = A[g, 0, 2]
        a10 = A[g, 1, 0]
        a11 = A[g, 1, 1]
        a12 = A[g, 1, 2]
        a20 = A[g, 2, 0]
        a21 = A[g, 2, 1]
        a22 = A[g, 2, 2]
        b00 = B[g, 0, 0]
        b01 = B[g, 0, 1]
        b02 = B[g, 0, 2]
        b10 = B[g, 1, 0]
        b11 = B[g, 1, 1]
        b12 = B[g, 1, 2]
        b20 = B[g, 2, 0]
        b21 = B[g, 2, 1]
        b22 = B[g, 2, 2]
        for s in range(npairs):
            a = pa[s]
            b = pb[s]
            x0 = XP[a, 0]
            x1 = XP[a, 1]
            x2 = XP[a, 2]
            y0 = XQ[b, 0]
            y1 = XQ[b, 1]
            y2 = XQ[b, 2]
            rows[pos, 0] = x0
            rows[pos, 1] = x1
            rows[pos, 2] = x2
            cols[pos, 0] = y0
            cols[pos, 1] = y1
            cols[pos, 2] = y2
            # payoffs (x A) y, (x B) y and regret, summed left to right from 0.0
            # as the general kernel (numpy's max: NaN propagates)
            sa0 = ((0.0 + x0 * a00) + x1 * a10) + x2 * a20
            sa1 = ((0.0 + x0 * a01) + x1 * a11) + x2 * a21
            sa2 = ((0.0 + x0 * a02) + x1 * a12) + x2 * a22
            sb0 = ((0.0 + x0 * b00) + x1 * b10) + x2 * b20
            sb1 = ((0.0 + x0 * b01) + x1 * b11) + x2 * b21
            sb2 = ((0.0 + x0 * b02) + x1 * b12) + x2 * b22
            pA = ((0.0 + sa0 * y0) + sa1 * y1) + sa2 * y2
            pB = ((0.0 + sb0 * y0) + sb1 * y1) + sb2 * y2
            r0 = ((0.0 + a00 * y0) + a01 * y1) + a02 * y2
            r1 = ((0.0 + a10 * y0) + a11 * y1) + a12 * y2
            r2 = ((0.0 + a20 * y0) + a21 * y1) + a22 * y2
            xAy = ((0.0 + x0 * r0) + x1 * r1) + x2 * r2
            reg = max(_nanmax3(r0, r1, r2) - xAy, _nanmax3(sb0, sb1, sb2) - pB, 0.0)
            pays[pos, 0] = pA
            pays[pos, 1] = pB
            regs[pos] = reg
            gidx[pos] = g
            pos += 1
        count[g] = npairs
        degen[g] = dgP or dgQ
        g += 1
    return g, pos
