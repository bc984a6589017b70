"""The dashboard's charts as SVG drawn on the server: no script, no CDN, readable without colour.

Every mark is a link to the meetings list filtered to the meetings behind it, with a tooltip
(``<title>``) saying what it shows; flags are named in the language in force with their code
in the tooltip. The figures come from the same rows as the list (corrected versions where
people corrected an analysis).
"""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import urlencode

from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from minutes_nlp.analysis.config import load_config
from minutes_nlp.analysis.score import level_of
from minutes_nlp.i18n import _
from minutes_nlp.reports.supervise import FLAG_CODES, LEVELS
from minutes_nlp.vocabulary import FLAG_TITLES, LEVEL_NAMES
from minutes_nlp.web.db import Analysis, Correction
from minutes_nlp.web.queries import Filters, list_meetings

PALETTE = ("#1f5fa8", "#d9822b", "#2e8b57", "#8e44ad", "#b8860b", "#c0392b", "#16a085", "#7f8c8d")
LEVEL_COLOURS = {"tot": "#1a7f37", "kha": "#7cbf5a", "trung_binh": "#f0b429", "kem": "#c0392b"}
W, H, LEFT, RIGHT, TOP, BOTTOM = 760, 280, 48, 170, 16, 46


def link(f: Filters, **narrow) -> str:
    """The meetings list URL for f narrowed further (committee kept)."""
    values = {"committee": f.committee, **narrow}
    return "/meetings?" + urlencode({k: v for k, v in values.items() if v not in (None, "")})


def _svg(label: str, body: list[str], width: int = W, height: int = H) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(label)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" class="chart" font-size="12">'
    )
    return Markup(head + f"<title>{escape(label)}</title>" + "".join(body) + "</svg>")


def _a(href: str, title: str, inner: str) -> str:
    return f'<a href="{escape(href)}"><title>{escape(title)}</title>{inner}</a>'


def _axis(months: list[str], top: float, unit: str = "") -> list[str]:
    """Horizontal grid lines at quarters of top, month names under the x positions."""
    out = []
    plot_h = H - TOP - BOTTOM
    for q in range(5):
        y = TOP + plot_h * (1 - q / 4)
        out.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{top * q / 4:.0f}{unit}</text>')
    for k, m in enumerate(months):
        out.append(f'<text x="{_x(k, len(months)):.1f}" y="{H - BOTTOM + 16}" text-anchor="middle">{escape(m)}</text>')
    return out


def _x(k: int, n: int) -> float:
    span = W - LEFT - RIGHT
    return LEFT + span * (k + 0.5) / max(n, 1)


def _y(value: float, top: float) -> float:
    return TOP + (H - TOP - BOTTOM) * (1 - value / top)


def score_trend(rows: list[dict], f: Filters, cells_shown: int = 6) -> Markup | None:
    """Mean score per month: the whole reach (thick) and each cell (the cells with most meetings)."""
    months = sorted({r["month"] for r in rows if r["month"] and r["score"] is not None})
    if not months:
        return None
    total: dict[str, list[float]] = defaultdict(list)
    by_cell: dict[tuple[int, str], dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        if r["month"] and r["score"] is not None:
            total[r["month"]].append(r["score"])
            by_cell[(r["unit_id"], r["cell"])][r["month"]].append(r["score"])
    biggest = sorted(by_cell, key=lambda c: (-sum(map(len, by_cell[c].values())), c[1]))[:cells_shown]
    body = _axis(months, 100)
    series = [(None, _("All cells"), total, "#8b1a1a", 3)]
    series += [
        (uid, name, by_cell[(uid, name)], PALETTE[i % len(PALETTE)], 1.5) for i, (uid, name) in enumerate(biggest)
    ]
    for n, (uid, name, values, colour, width) in enumerate(series):
        points = [(k, sum(values[m]) / len(values[m])) for k, m in enumerate(months) if values.get(m)]
        path = " ".join(f"{_x(k, len(months)):.1f},{_y(v, 100):.1f}" for k, v in points)
        body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="{width}"/>')
        for k, v in points:
            m = months[k]
            title = _("{who}, {month}: mean score {score:.1f} over {n} minutes").format(
                who=name, month=m, score=v, n=len(values[m])
            )
            dot = f'<circle cx="{_x(k, len(months)):.1f}" cy="{_y(v, 100):.1f}" r="{width + 2.5}" fill="{colour}"/>'
            body.append(_a(link(f, cell=uid, month=m), title, dot))
        ly = TOP + 16 * n
        body.append(
            _a(
                link(f, cell=uid),
                name,
                f'<line x1="{W - RIGHT + 10}" x2="{W - RIGHT + 28}" y1="{ly}" y2="{ly}" stroke="{colour}" '
                f'stroke-width="{width + 1}"/><text x="{W - RIGHT + 32}" y="{ly + 4}">{escape(name[:22])}</text>',
            )
        )
    return _svg(_("Mean score per month"), body)


def _ramp(share: float) -> str:
    """From pale (no minutes raise the flag) to dark red (all do)."""
    low, high = (0xF4, 0xEE, 0xE8), (0x8B, 0x1A, 0x1A)
    return "#" + "".join(f"{round(a + (b - a) * share):02x}" for a, b in zip(low, high))


def level_heatmap(rows: list[dict], f: Filters, flag: str | None = None) -> Markup | None:
    """Cells × months: each square coloured by the level of the mean score, the number of minutes written in it;
    with a flag, coloured by the share of minutes raising it ("2/3" written in it)."""
    months = sorted({r["month"] for r in rows if r["month"]})
    cells = sorted({(r["cell"], r["unit_id"]) for r in rows if r["month"]})
    if not months:
        return None
    bands = load_config()["score"]["levels"]
    scores: dict[tuple[int, str], list[float]] = defaultdict(list)
    counts: dict[tuple[int, str], int] = defaultdict(int)
    flagged: dict[tuple[int, str], int] = defaultdict(int)
    for r in rows:
        if r["month"]:
            counts[(r["unit_id"], r["month"])] += 1
            flagged[(r["unit_id"], r["month"])] += flag in r["flags"]
            if r["score"] is not None:
                scores[(r["unit_id"], r["month"])].append(r["score"])
    left, size, gap = 190, 52, 3
    width = max(left + len(months) * (size + gap) + 20, left + 120 * len(LEVELS), left + 360 + 8 * 40)
    height = 40 + len(cells) * (size + gap) + 40
    body = []
    for j, m in enumerate(months):
        body.append(
            f'<text x="{left + j * (size + gap) + size / 2}" y="24" text-anchor="middle" font-size="10">'
            f"{escape(m)}</text>"
        )
    for i, (name, uid) in enumerate(cells):
        y = 32 + i * (size + gap)
        body.append(
            _a(
                link(f, cell=uid),
                name,
                f'<text x="{left - 8}" y="{y + size / 2 + 4}" text-anchor="end">{escape(name[:28])}</text>',
            )
        )
        for j, m in enumerate(months):
            n = counts.get((uid, m), 0)
            if not n:
                continue
            x = left + j * (size + gap)
            if flag:
                hit = flagged.get((uid, m), 0)
                colour, shown, ink = _ramp(hit / n), f"{hit}/{n}", "#fff" if hit / n > 0.5 else "#000"
                title = _("{cell}, {month}: {hit} of {n} minutes raise “{flag}” ({code})").format(
                    cell=name, month=m, hit=hit, n=n, flag=FLAG_TITLES.get(flag, flag), code=flag
                )
                href = link(f, cell=uid, month=m, flag=flag) if hit else link(f, cell=uid, month=m)
            else:
                values = scores.get((uid, m), [])
                mean = sum(values) / len(values) if values else None
                level = level_of(mean, bands) if mean is not None else None
                colour, shown, ink = LEVEL_COLOURS.get(level, "#ccc"), str(n), "#000"
                title = _("{cell}, {month}: {n} minutes, mean score {score}, level {level}").format(
                    cell=name,
                    month=m,
                    n=n,
                    score="-" if mean is None else f"{mean:.1f}",
                    level=LEVEL_NAMES.get(level, "-"),
                )
                href = link(f, cell=uid, month=m)
            square = (
                f'<rect x="{x}" y="{y}" width="{size}" height="{size}" fill="{colour}" stroke="#fff"/>'
                f'<text x="{x + size / 2}" y="{y + size / 2 + 4}" text-anchor="middle" fill="{ink}">{shown}</text>'
            )
            body.append(_a(href, title, square))
    ly = height - 22
    if flag:
        name = FLAG_TITLES.get(flag, flag)
        for k, share in enumerate((0, 0.25, 0.5, 0.75, 1)):
            x = left + k * 70
            body.append(
                f'<rect x="{x}" y="{ly}" width="14" height="14" fill="{_ramp(share)}" stroke="#999"/>'
                f'<text x="{x + 18}" y="{ly + 11}">{share:.0%}</text>'
            )
        body.append(
            _a(link(f, flag=flag), f"{name} ({flag})", f'<text x="{left + 360}" y="{ly + 11}">{escape(name)}</text>')
        )
        return _svg(_("Share of minutes raising “{flag}”, party cells by month").format(flag=name), body, width, height)
    for k, lv in enumerate(LEVELS):
        x = left + k * 120
        body.append(
            _a(
                link(f, level=lv),
                LEVEL_NAMES[lv],
                f'<rect x="{x}" y="{ly}" width="14" height="14" fill="{LEVEL_COLOURS[lv]}"/>'
                f'<text x="{x + 18}" y="{ly + 11}">{escape(LEVEL_NAMES[lv])}</text>',
            )
        )
    return _svg(_("Level of the mean score, party cells by month"), body, width, height)


def no_proposals_share(rows: list[dict], f: Filters) -> Markup | None:
    """Per month, the share of minutes raising NO_PROPOSALS (bars, 0-100 %)."""
    months = sorted({r["month"] for r in rows if r["month"]})
    if not months:
        return None
    body = _axis(months, 100, "%")
    step = (W - LEFT - RIGHT) / len(months)
    flag = FLAG_TITLES["NO_PROPOSALS"]
    for k, m in enumerate(months):
        here = [r for r in rows if r["month"] == m]
        hit = sum("NO_PROPOSALS" in r["flags"] for r in here)
        share = 100 * hit / len(here)
        y = _y(share, 100)
        title = _("{month}: {hit} of {n} minutes ({share:.0f}%) raise “{flag}” (NO_PROPOSALS)").format(
            month=m, hit=hit, n=len(here), share=share, flag=flag
        )
        bar = (
            f'<rect x="{_x(k, len(months)) - step * 0.35:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" '
            f'height="{max(H - BOTTOM - y, 1):.1f}" fill="#8b1a1a"/>'
            f'<text x="{_x(k, len(months)):.1f}" y="{y - 4:.1f}" text-anchor="middle">{share:.0f}%</text>'
        )
        body.append(_a(link(f, month=m, flag="NO_PROPOSALS"), title, bar))
    return _svg(_("Share of minutes without proposals, by month"), body)


def participation_histogram(rows: list[dict], rates: dict[int, float | None], f: Filters) -> Markup | None:
    """How many minutes fall in each tenth of the participation rate; each bar links to its minutes."""
    bins: dict[int, list[int]] = defaultdict(list)
    for r in rows:
        rate = rates.get(r["meeting_id"])
        if rate is not None:
            bins[min(int(rate * 10), 9)].append(r["meeting_id"])
    if not bins:
        return None
    top = max(len(v) for v in bins.values())
    top = max(4, -(-top // 4) * 4)
    labels = [f"{10 * b}-{10 * b + 10}%" for b in range(10)]
    body = _axis(labels, top)
    step = (W - LEFT - RIGHT) / 10
    for b in range(10):
        ids = bins.get(b, [])
        if not ids:
            continue
        y = _y(len(ids), top)
        title = _("Participation {low}-{high}%: {n} minutes").format(low=10 * b, high=10 * b + 10, n=len(ids))
        bar = (
            f'<rect x="{_x(b, 10) - step * 0.4:.1f}" y="{y:.1f}" width="{step * 0.8:.1f}" '
            f'height="{H - BOTTOM - y:.1f}" fill="#1f5fa8"/>'
            f'<text x="{_x(b, 10):.1f}" y="{y - 4:.1f}" text-anchor="middle">{len(ids)}</text>'
        )
        body.append(_a(link(f, ids=",".join(map(str, sorted(ids)))), title, bar))
    return _svg(_("Participation rate: number of minutes by share of members who spoke"), body)


def flag_bars(rows: list[dict], f: Filters) -> Markup | None:
    """Minutes per flag, named in the language in force, the code in the tooltip."""
    counts = {code: sum(code in r["flags"] for r in rows) for code in FLAG_CODES}
    counts = {c: n for c, n in counts.items() if n}
    if not counts:
        return None
    top = max(counts.values())
    row_h, left = 26, 300
    height = 10 + row_h * len(counts)
    body = []
    for i, (code, n) in enumerate(sorted(counts.items(), key=lambda kv: -kv[1])):
        y = 6 + i * row_h
        length = (W - left - 60) * n / top
        name = FLAG_TITLES.get(code, code)
        inner = (
            f'<text x="{left - 8}" y="{y + 15}" text-anchor="end">{escape(name[:44])}</text>'
            f'<rect x="{left}" y="{y}" width="{length:.1f}" height="{row_h - 8}" fill="#b8860b"/>'
            f'<text x="{left + length + 6:.1f}" y="{y + 15}">{n}</text>'
        )
        body.append(_a(link(f, flag=code), f"{name} ({code}): {n}", inner))
    return _svg(_("Minutes by flag"), body, W, height)


def participation_rates(session: Session, rows: list[dict]) -> dict[int, float | None]:
    """meeting id -> participation rate of the version the row shows (corrected where corrected)."""
    out: dict[int, float | None] = {}
    automatic = {r["analysis_id"]: r["meeting_id"] for r in rows if r["correction_id"] is None}
    corrected = {r["correction_id"]: r["meeting_id"] for r in rows if r["correction_id"] is not None}
    for table, ids in ((Analysis, automatic), (Correction, corrected)):
        keys = list(ids)
        for start in range(0, len(keys), 200):
            for key, report in session.execute(
                select(table.id, table.report).where(table.id.in_(keys[start : start + 200]))
            ):
                out[ids[key]] = (report.get("metrics") or {}).get("participation_rate")
    return out


def dashboard_charts(
    session: Session, units: set[int] | None, f: Filters, heat: str | None = None
) -> dict[str, Markup | None]:
    """The five charts over the meetings in reach; heat: a flag code to colour the heat map by, else the level."""
    rows, _total = list_meetings(session, units, Filters(**{**f.__dict__, "limit": None, "offset": 0}))
    return {
        "trend": score_trend(rows, f),
        "heatmap": level_heatmap(rows, f, heat if heat in FLAG_CODES else None),
        "no_proposals": no_proposals_share(rows, f),
        "participation": participation_histogram(rows, participation_rates(session, rows), f),
        "flags": flag_bars(rows, f),
    }
