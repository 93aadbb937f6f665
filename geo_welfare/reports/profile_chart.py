"""The population-by-age chart of a district profile, drawn once for the PDF and the HTML page.

Where the stored dataset keeps 5-year bands (Sapporo's 0～4歳 … 100歳以上, the 自治体標準 layout's
man1..woman18) the chart is a real pyramid: men to the left and women to the right when the table
gives the sexes, else one-sided bars; the bars are the district's shared persons (fractional, as
the shares make them).  Otherwise the store has only 0–14, 15–64, 65+ and 75+, and the chart is a
bar of the partition those allow: 0–14, 15–64, 65–74, 75+, as the whole people the profile's
table prints (largest remainders), so the chart and the table never disagree by one.
"""

from __future__ import annotations

import io

from dataclasses import dataclass

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from geo_welfare.core.words import t
from geo_welfare.maps.fonts import font, map_style
from geo_welfare.reports.district_profile import DistrictProfile
from geo_welfare.reports.profile_tables import band_people

#: Bar colours, youngest to oldest (Okabe–Ito: distinct to colour-blind readers, dark enough for labels).
BAR_COLOURS = ("#56B4E9", "#009E73", "#E69F00", "#D55E00")
LABEL_POINTS = 10.0
#: The pyramid's colours: men, women, and both sexes together (Okabe–Ito).
MALE_COLOUR, FEMALE_COLOUR, BOTH_COLOUR = "#0072B2", "#D55E00", "#009E73"
#: Points of the PDF page the chart takes: the four-group bar, the pyramid (20 or so bands need room).
BAR_HEIGHT, PYRAMID_HEIGHT = 140.0, 260.0


@dataclass(frozen=True)
class Pyramid:
    """The pyramid's data, youngest band first: ``men`` None when the table does not give the sexes
    (then ``women`` holds both sexes together)."""

    bands: list[tuple[int, int | None]]
    men: list[float] | None
    women: list[float]


def pyramid(profile: DistrictProfile) -> Pyramid | None:
    """The district's 5-year bands as the chart draws them; None when the dataset keeps no bands."""
    bands = profile.age_bands
    if bands is None or bands.empty:
        return None
    sexed = bands[bands["sex"].notna()]

    def side(rows: pd.DataFrame) -> dict[tuple[int, int | None], float]:
        return {(int(start), None if pd.isna(end) else int(end)): float(count)
                for start, end, count in zip(rows["band_start"], rows["band_end"], rows["count"])}

    if len(sexed):
        men, women = side(sexed[sexed["sex"] == "male"]), side(sexed[sexed["sex"] == "female"])
        order = sorted(set(men) | set(women))
        return Pyramid(order, [men.get(b, 0.0) for b in order], [women.get(b, 0.0) for b in order])
    both = side(bands)
    order = sorted(both)
    return Pyramid(order, None, [both[b] for b in order])


def band_label(band: tuple[int, int | None], lang: str) -> str:
    """「0〜4歳」, 「85歳以上」."""
    start, end = band
    return t("profile_band_open", lang, start=start) if end is None else t("profile_band_years", lang,
                                                                             start=start, end=end)


def chart_note(profile: DistrictProfile, lang: str) -> str:
    """The sentence under the chart: what it shows (the four groups and why, or the pyramid's bands)."""
    data = pyramid(profile)
    if data is None:
        return t("profile_bands_note", lang)
    return t("profile_pyramid_note_sexes" if data.men is not None else "profile_pyramid_note", lang)


def chart_height(profile: DistrictProfile) -> float:
    """The chart's height on the PDF page (points)."""
    return PYRAMID_HEIGHT if pyramid(profile) is not None else BAR_HEIGHT


def draw_pyramid(ax: Axes, data: Pyramid, lang: str):
    """Draw the pyramid on ``ax``; returns (men's bars or None, women's or both sexes' bars)."""
    positions = list(range(len(data.bands)))
    left = None
    if data.men is not None:
        left = ax.barh(positions, [-v for v in data.men], color=MALE_COLOUR, height=0.85,
                       label=t("profile_pyramid_male", lang))
        right = ax.barh(positions, data.women, color=FEMALE_COLOUR, height=0.85,
                        label=t("profile_pyramid_female", lang))
        ax.axvline(0, color="#333", linewidth=0.6)
        for x, key, colour in ((0.25, "profile_pyramid_male", MALE_COLOUR), (0.75, "profile_pyramid_female",
                                                                            FEMALE_COLOUR)):
            ax.text(x, 1.01, t(key, lang), transform=ax.transAxes, ha="center", va="bottom", color=colour,
                    fontproperties=font(LABEL_POINTS))  # above the bars, so it covers none of them
        top = max(data.men + data.women) or 1
        ax.set_xlim(-top * 1.1, top * 1.1)
        ax.xaxis.set_major_formatter(lambda value, _: f"{abs(value):,.0f}")
    else:
        right = ax.barh(positions, data.women, color=BOTH_COLOUR, height=0.85)
        ax.set_xlim(0, (max(data.women) or 1) * 1.1)
    top = len(data.bands) - 1  # the open top band is always named; the band just under it not (labels collide)
    shown = [p for p, (start, _) in zip(positions, data.bands) if p == top or (start % 10 == 0 and p != top - 1)]
    ax.set_yticks(shown, [band_label(data.bands[p], lang) for p in shown], fontproperties=font(9.0))
    ax.set_xlabel(t("profile_persons", lang), fontproperties=font(9.0))
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    for tick in ax.get_xticklabels():
        tick.set_fontproperties(font(9.0))
    return left, right


def draw_bands(ax: Axes, profile: DistrictProfile, lang: str):
    """Draw the bands on ``ax`` (oldest at the top, as a pyramid reads); returns the bar container.

    The pyramid when the dataset keeps 5-year bands (:func:`draw_pyramid`: then a pair of containers).
    """
    if (data := pyramid(profile)) is not None:
        return draw_pyramid(ax, data, lang)
    people = band_people(profile)
    labels = [t(f"profile_{key}", lang) for key, _ in profile.bands()]
    positions = list(range(len(people)))
    bars = ax.barh(positions, people, color=BAR_COLOURS[:len(people)], height=0.7)
    ax.set_yticks(positions, labels, fontproperties=font(LABEL_POINTS))
    top = max(people) if people and max(people) > 0 else 1
    ax.set_xlim(0, top * 1.25)
    for position, value in zip(positions, people):
        ax.text(value + top * 0.02, position, f"{value:,}", va="center", fontproperties=font(LABEL_POINTS))
    ax.set_xlabel(t("profile_persons", lang), fontproperties=font(9.0))
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    for tick in ax.get_xticklabels():
        tick.set_fontproperties(font(9.0))
    return bars


def bands_png(profile: DistrictProfile, lang: str, dpi: int = 110) -> bytes:
    """The chart alone as a PNG (the HTML page's image)."""
    with map_style():
        tall = pyramid(profile) is not None
        figure = Figure(figsize=(5.2, 4.4 if tall else 2.4))
        ax = figure.add_axes((0.2, 0.12 if tall else 0.2, 0.75, 0.84 if tall else 0.75))
        draw_bands(ax, profile, lang)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()
