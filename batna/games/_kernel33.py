r"""Compiled kernel of :func:`batna.games.batch.equilibria_batch` for 3 x 3 games.

The same computation as :func:`batna.games._kernels.enumerate_stack`, operation
for operation (so the results are bit-identical; ``tests/test_batch.py``
checks this), specialised to ``m = n = 3``, the size of the engagement games of
:mod:`batna.engagement`:

- the 19 nonzero candidate bases of each best-response polytope are constant
  tables (support ``S`` and tight rows ``T`` of each basis, in the order of
  ``itertools.combinations`` used by :func:`batna.games.solve`), so every
  loop has a compile-time trip count of 3 and is unrolled by the compiler;
- 1 x 1 bases are solved as ``1 / C[t, s]``, 2 x 2 bases by Cramer's rule and
  the single 3 x 3 basis by Gaussian elimination with partial pivoting, with
  exactly the expressions of the general kernel;
- vertices, label masks, cleaned strategies and pairs live in work arrays
  allocated once per call (at most 19 vertices per polytope and 19 x 19
  pairs), never per game;
- the label mask of a vertex with support ``S`` takes the row sums over the
  support only (the general kernel adds ``C[p, i] * 0.0 = 0.0`` terms, which
  leave a left-to-right sum unchanged).

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
def _norm33(M, out, transpose):
    """``batna.games.equilibria._normalise(M) + 1`` of a 3 x 3 ``M`` into ``out`` (or its transpose)."""
    lo = M[0, 0]
    hi = M[0, 0]
    for i in range(3):
        for j in range(3):
            v = M[i, j]
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
                v = (M[i, j] - lo) / rng
            else:
                v = (M[i, j] * 0.5 - lo * 0.5) / (hi * 0.5 - lo * 0.5)
            if transpose:
                out[j, i] = v + 1.0
            else:
                out[i, j] = v + 1.0


@njit(cache=True, error_model="numpy", inline="always")
def _verts33(C, KK, SS, TT, tol, zero_off, row_off, V, masks, Msys, sol):
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
            if not _solve33(C, Msys, sol):
                continue
            z0 = sol[0]
            z1 = sol[1]
            z2 = sol[2]
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
def _solve33(C, Msys, sol):
    """``C z = 1`` by the elimination of :func:`batna.games._kernels._solve_reduced`."""
    big = 0.0
    for p in range(3):
        for q in range(3):
            v = C[p, q]
            Msys[p, q] = v
            if abs(v) > big:
                big = abs(v)
        sol[p] = 1.0
    for c in range(3):
        piv = c
        pv = abs(Msys[c, c])
        for p in range(c + 1, 3):
            if abs(Msys[p, c]) > pv:
                pv = abs(Msys[p, c])
                piv = p
        if not (pv > _RCOND * big):
            return False
        if piv != c:
            for q in range(c, 3):
                t = Msys[c, q]
                Msys[c, q] = Msys[piv, q]
                Msys[piv, q] = t
            t = sol[c]
            sol[c] = sol[piv]
            sol[piv] = t
        for p in range(c + 1, 3):
            f = Msys[p, c] / Msys[c, c]
            if f != 0.0:
                for q in range(c + 1, 3):
                    Msys[p, q] -= f * Msys[c, q]
                sol[p] -= f * sol[c]
    for c in range(2, -1, -1):
        s = sol[c]
        for q in range(c + 1, 3):
            s -= Msys[c, q] * sol[q]
        sol[c] = s / Msys[c, c]
    return True


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
    keys[a, 0] = np.rint(b0 * 1e12) / 1e12
    keys[a, 1] = np.rint(b1 * 1e12) / 1e12
    keys[a, 2] = np.rint(b2 * 1e12) / 1e12


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
    KP = _KP
    KQ = _KQ
    SP = _SP
    TP = _TP
    SQ = _SQ
    TQ = _TQ
    CP = np.empty((3, 3))
    CQ = np.empty((3, 3))
    VP = np.empty((19, 3))
    VQ = np.empty((19, 3))
    mP = np.empty(19, np.int64)
    mQ = np.empty(19, np.int64)
    Msys = np.empty((3, 3))
    sol = np.empty(3)
    XP = np.empty((19, 3))
    KeyP = np.empty((19, 3))
    XQ = np.empty((19, 3))
    KeyQ = np.empty((19, 3))
    uP = np.zeros(19, np.bool_)
    uQ = np.zeros(19, np.bool_)
    pa = np.empty(361, np.int64)
    pb = np.empty(361, np.int64)
    Ay = np.empty(3)
    xB = np.empty(3)
    cap = rows.shape[0]
    g = start
    while g < N:
        Ag = A[g]
        Bg = B[g]
        _norm33(Bg, CP, True)
        _norm33(Ag, CQ, False)
        nvP, dgP = _verts33(CP, KP, SP, TP, tol, 0, 3, VP, mP, Msys, sol)
        nvQ, dgQ = _verts33(CQ, KQ, SQ, TQ, tol, 3, 0, VQ, mQ, Msys, sol)
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
            # payoffs (x A) y, (x B) y and regret, summed as the general kernel
            pA = 0.0
            pB = 0.0
            for j in range(3):
                sa = 0.0
                sb = 0.0
                sa += x0 * Ag[0, j]
                sb += x0 * Bg[0, j]
                sa += x1 * Ag[1, j]
                sb += x1 * Bg[1, j]
                sa += x2 * Ag[2, j]
                sb += x2 * Bg[2, j]
                pA += sa * XQ[b, j]
                pB += sb * XQ[b, j]
                xB[j] = sb
            xAy = 0.0
            for i in range(3):
                s2 = 0.0
                s2 += Ag[i, 0] * y0
                s2 += Ag[i, 1] * y1
                s2 += Ag[i, 2] * y2
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
