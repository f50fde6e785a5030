"""Drawing: one function per figure kind, each reading a :class:`~batna.figures.data.FigureData`.

Nothing here computes a model quantity; every number drawn is a cell of the
figure's CSV table (or an array in its ``meta``).  Each function returns a
matplotlib :class:`~matplotlib.figure.Figure` on the Agg canvas; build it
inside :func:`batna.figures.style.context` so the publication style applies.
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import TwoSlopeNorm
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .data import BARS_QUANTITIES, ROUNDS_QUANTITIES, SPONSOR_LABELS, SPONSORS, FigureData
from .style import GREY, OKABE_ITO, SIDE, SOLUTION, SPONSOR, new_figure

__all__ = ["draw_frontier", "draw_batna_bars", "draw_heatmap", "draw_rounds", "draw_tornado", "draw_sobol", "DRAW"]

DEPTH_LABEL = "transition depth $x$ (share of control handed over)"
UTIL_UNIT = "full-control units"


def _col(d: FigureData, name: str, rows) -> np.ndarray:
    i = d.columns.index(name)
    return np.array([np.nan if r[i] is None else r[i] for r in rows], dtype=float)


def _value(d: FigureData, row: str) -> float:
    return float(d.select("row", row)[0][d.columns.index("value")])


def _signed(v: float) -> str:
    """A contribution with its sign; ``0.00`` rather than ``-0.00`` when it rounds to zero."""
    text = f"{v:+.2f}"
    return "0.00" if text in ("+0.00", "-0.00") else text


def _broken(x, y):
    """Insert a gap where the curve jumps (two points at almost the same x), so jumps are not drawn."""
    gap = (np.diff(x) < 1e-9) & (np.abs(np.diff(y)) > 1e-12)
    idx = np.flatnonzero(gap) + 1
    return np.insert(x, idx, np.nan), np.insert(y, idx, np.nan)


# --------------------------------------------------------------------------- frontier


def draw_frontier(d: FigureData):
    """U_G(x), U_O(x), the BATNA levels, the ZOPA, the limits and the solution points."""
    fig = new_figure(6.4, 4.4)
    ax = fig.add_subplot()
    curve = d.select("row", "curve")
    x = _col(d, "x", curve)
    for side, col, label in (("government", "U_G", "government $U_G(x)$"),
                             ("opposition", "U_O", "opposition $U_O(x)$")):
        st = SIDE[side]
        ax.plot(*_broken(x, _col(d, col, curve)), color=st["color"], linestyle=st["linestyle"], label=label,
                zorder=3)
    levels = (("batna_G", "government", ":", "$B_G$"), ("batna_O", "opposition", ":", "$B_O$"),
              ("price_O", "opposition", "-.", "$P_O$"))
    for key, side, ls, text in levels:
        v = _value(d, key)
        ax.axhline(v, color=SIDE[side]["color"], linestyle=ls, linewidth=1.0, zorder=2)
        ax.annotate(f"{text} = {v:.3f}", xy=(1.0, v), xycoords=("axes fraction", "data"), xytext=(4, 0),
                    textcoords="offset points", va="center", ha="left", fontsize=8, color=SIDE[side]["color"])
    # ZOPA intervals.
    lows, highs = d.select("row", "zopa_low"), d.select("row", "zopa_high")
    for i, (lo, hi) in enumerate(zip(_col(d, "x", lows), _col(d, "x", highs))):
        ax.axvspan(lo, hi, facecolor=OKABE_ITO["bluish_green"], alpha=0.18, hatch="..",
                   edgecolor=OKABE_ITO["bluish_green"], linewidth=0, zorder=1, label="ZOPA" if i == 0 else None)
    # Limits: inner circle (infeasible beyond), US red line, hardliner floor.
    xbar = float(_col(d, "x", d.select("row", "core_limit"))[0])
    if xbar < 1:
        ax.axvspan(xbar, 1.0, facecolor="none", edgecolor=GREY, hatch="//", linewidth=0, zorder=1,
                   label=r"beyond inner-circle limit $\bar{x}_G$")
        ax.axvline(xbar, color="black", linewidth=1.0, zorder=2)
    for key, text in (("us_red_line", "$x_{US}$"), ("hardliner_floor", "$x_O$"), ("core_limit", r"$\bar{x}_G$")):
        v = float(_col(d, "x", d.select("row", key))[0])
        if key != "core_limit":
            ax.axvline(v, color=GREY, linewidth=0.8, linestyle=(0, (1, 2)), zorder=1)
        ax.annotate(text, xy=(v, 1.0), xycoords=("data", "axes fraction"), xytext=(0, 2),
                    textcoords="offset points", ha="center", va="bottom", fontsize=8)
    # Solution points (or the best compromise when there is no ZOPA).
    for name, st in SOLUTION.items():
        rows = d.select("row", name)
        if not rows:
            continue
        xs = _col(d, "x", rows)
        for col, side in (("U_G", "government"), ("U_O", "opposition")):
            ax.plot(xs, _col(d, col, rows), linestyle="none", marker=st["marker"], markersize=7,
                    markerfacecolor="white", markeredgecolor="black", markeredgewidth=1.1, zorder=5,
                    label=st["label"] + (f" ($x$ = {xs[0]:.3f})" if col == "U_G" else "") if col == "U_G" else None)
        if name == "compromise":
            ax.axvline(xs[0], color="black", linewidth=0.8, linestyle="--", zorder=2)
    ax.set_xlim(0, 1)
    ax.set_xlabel(DEPTH_LABEL)
    ax.set_ylabel(f"utility ({UTIL_UNIT})")
    ax.set_title(f"{d.title}\n{d.meta['status']}", pad=14)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3, handlelength=2.6)
    return fig


# --------------------------------------------------------------------------- sponsor bars


def draw_batna_bars(d: FigureData):
    """Waterfalls from the no-sponsor baseline to the scenario's value, one panel per quantity."""
    fig = new_figure(7.0, 3.6)
    axes = fig.subplots(1, len(BARS_QUANTITIES), sharey=True)
    cats = ["no\nsponsors", *(SPONSOR_LABELS[s].replace("United States", "US") for s in SPONSORS), "all\n(scenario)"]
    for ax, (key, title) in zip(axes, BARS_QUANTITIES):
        rows = {r[1]: r[2] for r in d.select("quantity", key)}
        base, total = rows["baseline"], rows["all"]
        ax.bar(0, base, color="white", edgecolor="black", hatch="..", linewidth=0.8, width=0.7)
        level = base
        for i, sp in enumerate(SPONSORS, start=1):
            c = rows[sp]
            st = SPONSOR[sp]
            ax.bar(i, c, bottom=level, color=st["color"], hatch=st["hatch"], edgecolor="black", linewidth=0.8,
                   width=0.7)
            ax.plot([i - 1 - 0.35, i + 0.35], [level, level], color="black", linewidth=0.5, linestyle=":")
            ax.annotate(_signed(c), xy=(i, max(level, level + c)), xytext=(0, 2), textcoords="offset points",
                        ha="center", va="bottom", fontsize=7)
            level += c
        n = len(SPONSORS) + 1
        ax.plot([n - 1 - 0.35, n + 0.35], [level, level], color="black", linewidth=0.5, linestyle=":")
        ax.bar(n, total, color=GREY, edgecolor="black", linewidth=0.8, width=0.7)
        for pos, v in ((0, base), (n, total)):
            ax.annotate(f"{v:.2f}", xy=(pos, max(v, 0)), xytext=(0, 2), textcoords="offset points",
                        ha="center", va="bottom", fontsize=7)
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_xticks(range(n + 1), cats, rotation=0, fontsize=7)
        ax.set_title(title)
    axes[0].set_ylabel(f"value ({UTIL_UNIT})")
    fig.suptitle(d.title + "\n(Shapley contributions: each sponsor's average effect over all arrival orders)",
                 fontsize=9)
    fig.set_layout_engine("constrained")
    return fig


# --------------------------------------------------------------------------- heatmap


def _axis_label(key: str, unit: str) -> str:
    return f"{key} ({unit})"


def draw_heatmap(d: FigureData):
    """Margin over two parameters, the ZOPA boundary m = 0 and the scenario's own point."""
    fig = new_figure(6.0, 4.4)
    ax = fig.add_subplot()
    xs, ys, m = d.meta["x"], d.meta["y"], d.meta["margin"]
    lo, hi = float(np.nanmin(m)), float(np.nanmax(m))
    norm = TwoSlopeNorm(0.0, lo, hi) if lo < 0 < hi else None
    mesh = ax.pcolormesh(xs, ys, m, shading="nearest", cmap="cividis", norm=norm, rasterized=True)
    cb = fig.colorbar(mesh, ax=ax)
    cb.set_label(f"margin $m$ ({UTIL_UNIT})")
    handles = []
    if lo < 0 <= hi:
        ax.contourf(xs, ys, m, levels=[0, max(hi, 1e-12) * 1.0001 + 1e-12], colors="none", hatches=[".."])
        ax.contour(xs, ys, m, levels=[0], colors="black", linewidths=1.6)
        cb.ax.axhline(0, color="black", linewidth=1.6)
        handles += [Line2D([], [], color="black", linewidth=1.6, label="ZOPA boundary ($m$ = 0)"),
                    Patch(facecolor="none", edgecolor="black", hatch="..", label="ZOPA open ($m \\geq 0$)")]
    own = d.meta["own"]
    if xs[0] <= own[0] <= xs[-1] and ys[0] <= own[1] <= ys[-1]:
        ax.plot(*own, marker="*", markersize=14, markerfacecolor="white", markeredgecolor="black",
                markeredgewidth=1.2, linestyle="none", zorder=5, clip_on=False)
        handles.append(Line2D([], [], marker="*", markersize=11, markerfacecolor="white", markeredgecolor="black",
                              linestyle="none", label=f"scenario ({own[0]:g}, {own[1]:g})"))
    (kx, ky), (ux, uy) = d.meta["keys"], d.meta["units"]
    ax.set_xlabel(_axis_label(kx, ux))
    ax.set_ylabel(_axis_label(ky, uy))
    ax.set_title(d.title)
    ax.spines["top"].set_visible(True)
    ax.spines["right"].set_visible(True)
    if handles:
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=3)
    return fig


# --------------------------------------------------------------------------- rounds


def draw_rounds(d: FigureData):
    """Margin, B_G and B_O of each round and counterfactual as horizontal bars, one panel each."""
    rows = list(d.rows)
    n = len(rows)
    fig = new_figure(7.0, 0.32 * n + 1.6)
    axes = fig.subplots(1, len(ROUNDS_QUANTITIES), sharey=True)
    pos = np.arange(n)[::-1]
    group = [r[d.columns.index("group")] for r in rows]
    colours = {"margin": "#555555", "batna_G": SIDE["government"]["color"], "batna_O": SIDE["opposition"]["color"]}
    hatch = {"round": "", "counterfactual": "///", "yours": "xx"}
    for ax, (key, title) in zip(axes, ROUNDS_QUANTITIES):
        vals = _col(d, key, rows)
        at = np.fmax(vals, _col(d, "price_O", rows)) if key == "batna_O" else vals
        for p, v, a, g in zip(pos, vals, at, group):
            ax.barh(p, v, color=colours[key], hatch=hatch[g], edgecolor="black", linewidth=0.6, height=0.7,
                    alpha=0.85 if g == "round" else 0.55)
            ax.annotate(_signed(v) if key == "margin" else f"{v:.2f}", xy=(a, p),
                        xytext=(3 if v >= 0 else -3, 0), textcoords="offset points",
                        ha="left" if v >= 0 else "right", va="center", fontsize=7)
        if key == "batna_O":
            ax.plot(_col(d, "price_O", rows), pos, linestyle="none", marker="|", markersize=9,
                    markeredgewidth=1.6, color="black")
        ax.axvline(0, color="black", linewidth=0.8)
        lo, hi = np.nanmin(np.append(vals, 0)), np.nanmax(np.append(at, 0))
        pad = 0.28 * (hi - lo)
        ax.set_xlim(lo - (pad if lo < 0 else 0), hi + pad)
        n_round = sum(g == "round" for g in group)
        if 0 < n_round < n:
            ax.axhline(pos[n_round - 1] - 0.5, color=GREY, linewidth=0.8, linestyle="--")
        ax.set_title(title)
        ax.set_xlabel(UTIL_UNIT)
        ax.tick_params(axis="y", length=0)
    labels = [r[d.columns.index("label")] for r in rows]
    axes[0].set_yticks(pos, labels)
    hl = d.meta.get("highlight")
    for lab, r in zip(axes[0].get_yticklabels(), rows):
        if r[0] == hl:
            lab.set_fontweight("bold")
    axes[0].annotate("margin $\\geq$ 0: a ZOPA exists", xy=(0.5, -0.02), xycoords="axes fraction",
                     xytext=(0, -26), textcoords="offset points", ha="center", va="top", fontsize=7)
    handles = [Patch(facecolor="white", edgecolor="black", hatch=h, label=lab)
               for h, lab in (("", "historical round"), ("///", "counterfactual (2019 Barbados base)"),
                              ("xx", "your scenario")) if any(hatch[g] == h for g in group)]
    handles.append(Line2D([], [], linestyle="none", marker="|", markersize=9, markeredgewidth=1.6, color="black",
                          label="opposition's price $P_O$"))
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), bbox_to_anchor=(0.5, 0.0))
    fig.suptitle(d.title, fontsize=10)
    fig.set_layout_engine("constrained", h_pad=0.1)
    fig.get_layout_engine().set(rect=(0, 0.06, 1, 0.94))
    return fig


# --------------------------------------------------------------------------- tornado

#: Low and high end of a parameter in the tornado: colour and hatch (greyscale: plain vs hatched).
TORNADO_ENDS = {"low": {"color": OKABE_ITO["sky_blue"], "hatch": "", "label": "parameter at its low end"},
                "high": {"color": OKABE_ITO["vermillion"], "hatch": "///", "label": "parameter at its high end"}}
#: An axis is cut when the largest bar is more than this many times the next largest.
CUT_RATIO = 20.0


def _cut_limits(extents: np.ndarray) -> float | None:
    """Half-width to cut the axis at if one bar dwarfs the others (so the others stay readable), else None."""
    e = np.sort(np.abs(extents[np.isfinite(extents)]))[::-1]
    if len(e) >= 2 and e[1] > 0 and e[0] > CUT_RATIO * e[1]:
        return 1.6 * e[1]
    return None


def _num(v: float) -> str:
    return f"{v:.4g}" if abs(v) < 1e4 else f"{v:.3e}"


def draw_tornado(d: FigureData):
    """Bars from the scenario's margin to the margin at each parameter's low and high end, largest swing on top."""
    rows = list(d.rows)
    n = len(rows)
    fig = new_figure(6.8, 0.34 * n + 1.9)
    ax = fig.add_subplot()
    base = float(d.meta["base"])
    pos = np.arange(n)[::-1]
    ends = {e: _col(d, f"margin_{e}", rows) for e in ("low", "high")}
    extent = np.fmax(np.abs(ends["low"] - base), np.abs(ends["high"] - base))
    cut = _cut_limits(extent)
    lo_lim = min(np.nanmin([*ends["low"], *ends["high"], base]), 0.0)
    hi_lim = max(np.nanmax([*ends["low"], *ends["high"], base]), 0.0)
    if cut is not None:
        lo_lim, hi_lim = max(lo_lim, base - cut), min(hi_lim, base + cut)
    pad = 0.08 * (hi_lim - lo_lim or 1.0)
    lo_lim, hi_lim = lo_lim - pad, hi_lim + pad
    for end, st in TORNADO_ENDS.items():
        vals = ends[end]
        shown = np.clip(vals, lo_lim, hi_lim)
        ax.barh(pos, shown - base, left=base, height=0.62, color=st["color"], hatch=st["hatch"],
                edgecolor="black", linewidth=0.6, label=st["label"], zorder=2)
        for p, v, s in zip(pos, vals, shown):
            if v != s:  # bar cut at the axis edge: say where it really ends
                right = v > s
                ax.annotate(f"{_num(v)} \u2192" if right else f"\u2190 {_num(v)}", xy=(s, p),
                            xytext=(-3 if right else 3, 0), textcoords="offset points", va="center",
                            ha="right" if right else "left", fontsize=7, fontweight="bold",
                            bbox={"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none"},
                            zorder=4)
    ax.axvline(base, color="black", linewidth=1.2, zorder=3)
    if lo_lim < 0 < hi_lim:
        ax.axvline(0, color=GREY, linewidth=1.0, linestyle="--", zorder=1)
    ax.set_xlim(lo_lim, hi_lim)
    units = d.meta["units"]
    labels = []
    for r in rows:
        key, low, value, high = r[0], r[1], r[2], r[3]
        labels.append(f"{key}\n{low:g} | {value:g} | {high:g} ({units[key]})")
    ax.set_yticks(pos, labels, fontsize=7)
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xlabel(f"margin $m$ ({UTIL_UNIT})")
    ax.set_title(f"{d.title}\n{d.meta['source_text']}; others at the scenario's values", fontsize=9)
    handles = [Patch(facecolor=st["color"], hatch=st["hatch"], edgecolor="black", label=st["label"])
               for st in TORNADO_ENDS.values()]
    handles.append(Line2D([], [], color="black", linewidth=1.2, label=f"scenario: $m$ = {base:+.3f}"))
    if lo_lim < 0 < hi_lim:
        handles.append(Line2D([], [], color=GREY, linewidth=1.0, linestyle="--", label="ZOPA boundary $m$ = 0"))
    ax.set_ylabel("parameter: low | scenario value | high (unit)", fontsize=8)
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.09 - 0.5 / max(n, 1)), ncol=2)
    return fig


# --------------------------------------------------------------------------- sobol

#: First-order and total index bars: colour and hatch (greyscale: plain vs hatched).
SOBOL_INDICES = {"S1": {"color": OKABE_ITO["blue"], "hatch": "", "label": "first order $S_1$ (alone)"},
                 "ST": {"color": OKABE_ITO["orange"], "hatch": "///", "label": "total $S_T$ (with interactions)"}}
SOBOL_OUTPUTS = (("margin", "margin $m$"), ("zopa_exists", "ZOPA indicator $1[m \\geq 0]$"))
#: Widest axis range of the indices; estimates (with their intervals) outside it are cut and labelled.
SOBOL_RANGE = (-0.3, 1.2)


def draw_sobol(d: FigureData):
    """S1 and ST (with 95 % bootstrap intervals) of the margin and of the ZOPA indicator, one panel each."""
    outs = [o for o, _ in SOBOL_OUTPUTS]
    notes = d.meta["notes"]
    order_from = next((o for o in outs if o not in notes), outs[0])
    keys = [r[1] for r in d.select("output", order_from)]
    n = len(keys)
    fig = new_figure(7.0, 0.3 * n + 2.0)
    axes = fig.subplots(1, len(SOBOL_OUTPUTS), sharey=True)
    pos = np.arange(n)[::-1]
    est = np.concatenate([_col(d, ix, d.rows) for ix in SOBOL_INDICES])
    conf = np.concatenate([_col(d, f"{ix}_conf", d.rows) for ix in SOBOL_INDICES])
    lo = max(SOBOL_RANGE[0], min(-0.05, float(np.nanmin(est - conf, initial=0.0))))
    hi = min(SOBOL_RANGE[1], max(1.05, float(np.nanmax(est + conf, initial=1.0))))
    h = 0.38
    for ax, (out, title) in zip(axes, SOBOL_OUTPUTS):
        by = {r[1]: r for r in d.select("output", out)}
        ax.set_title(title)
        ax.set_xlim(lo, hi)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.axvline(1, color=GREY, linewidth=0.8, linestyle=":")
        if out in notes:
            ax.text(0.5, 0.5, notes[out].replace(": ", ":\n", 1), transform=ax.transAxes, ha="center",
                    va="center", fontsize=8, wrap=True)
            continue
        for j, (ix, st) in enumerate(SOBOL_INDICES.items()):
            c = d.columns.index(ix)
            vals = np.array([by[k][c] for k in keys], dtype=float)
            conf = np.array([by[k][c + 1] for k in keys], dtype=float)
            y = pos + (h / 2 if j == 0 else -h / 2)
            ax.barh(y, np.clip(vals, lo, hi), height=h, color=st["color"], hatch=st["hatch"], edgecolor="black",
                    linewidth=0.5, zorder=2)
            a, b = np.clip(vals - conf, lo, hi), np.clip(vals + conf, lo, hi)
            ax.hlines(y, a, b, color="black", linewidth=0.9, zorder=3)
            ax.plot(np.r_[a, b], np.r_[y, y], linestyle="none", marker="|", markersize=4, color="black", zorder=3)
            for yy, v, cf in zip(y, vals, conf):
                if v - cf < lo or v + cf > hi:  # cut: print the estimate and its interval
                    ax.annotate(f"{v:.2f} \u00b1 {cf:.2f}", xy=(hi if v + cf > hi else lo, yy),
                                xytext=(-3 if v + cf > hi else 3, 0), textcoords="offset points",
                                ha="right" if v + cf > hi else "left", va="center", fontsize=6.5,
                                bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"},
                                zorder=4)
        ax.set_xlabel("index (share of variance)")
        ax.tick_params(axis="y", length=0)
    axes[0].set_yticks(pos, keys, fontsize=7.5)
    axes[0].set_ylim(-0.6, n - 0.4)
    handles = [Patch(facecolor=st["color"], hatch=st["hatch"], edgecolor="black", label=st["label"])
               for st in SOBOL_INDICES.values()]
    handles.append(Line2D([], [], color="black", marker="|", markersize=6, linewidth=0.9,
                          label="95 % bootstrap interval"))
    fig.legend(handles=handles, loc="lower center", ncol=3, bbox_to_anchor=(0.5, 0.0))
    m = d.meta
    fig.suptitle(f"{d.title} ({m['source_text']})\nN = {m['n']} base samples, {m['runs']} model runs, "
                 f"seed {m['seed']}", fontsize=9)
    fig.set_layout_engine("constrained", h_pad=0.1)
    fig.get_layout_engine().set(rect=(0, 0.07, 1, 0.93))
    return fig


#: kind -> drawing function.
DRAW = {
    "frontier": draw_frontier,
    "batna-bars": draw_batna_bars,
    "heatmap": draw_heatmap,
    "rounds": draw_rounds,
    "tornado": draw_tornado,
    "sobol": draw_sobol,
}
