"""Whom an analysis counts: older residents (65+ and 75+, the default), children (0–14), or everyone.

Coverage, gaps and new bases were first asked for older residents only.  A 子どもの居場所 or a
子ども食堂 is planned the same way, for the residents aged 0–14 of each 小学校区, and a place for
everyone (a 公民館) for the whole population.  A target group is defined here once: the count
columns of ``population_count`` it counts (the first is its *demand*: the people a gap is ranked by
and a new base is sited for), the catalogue key of its label, the kinds of place that serve it by
default, and the words of a place's ``target_groups`` cell that say a place of another kind serves
it too.  The analyses name their columns after the group's counts (``age_0_14_covered``,
``share_0_14_covered``, ``added_0_14``), so the older group's tables are exactly as they were.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo_welfare.core import glossary
from geo_welfare.core.errors import ConflictError, UsageError
from geo_welfare.core.words import Word, t


def suffix(column: str) -> str:
    """The part of a count column that names its people in derived columns: ``age_0_14`` → ``0_14``, ``total`` → ``total``."""
    return column[len("age_"):] if column.startswith("age_") else column


def covered_column(column: str) -> str:
    """The column of the people of ``column`` within the walk (``age_0_14_covered``, ``total_covered``)."""
    return f"{column}_covered"


def share_column(column: str) -> str:
    """The column of the share of ``column`` within the walk (``share_0_14_covered``, ``share_total_covered``)."""
    return f"share_{suffix(column)}_covered"


@dataclass(frozen=True)
class TargetGroup:
    """One group of residents an analysis counts.

    Attributes
    ----------
    id : str
        ``older``, ``children`` or ``all``.
    counts : tuple of str
        Its count columns of ``population_count``; the first is the demand (gaps are ranked by it,
        new bases sited for it).
    kinds : tuple of str
        The kinds of place that serve it, chosen when the user chooses none (the planner's ticks).
    target_words : tuple of str
        Words of a place's ``target_groups`` cell that say a place of another kind serves it too.
    """

    id: str
    counts: tuple[str, ...]
    kinds: tuple[str, ...]
    target_words: tuple[str, ...] = ()

    @property
    def demand(self) -> str:
        """The count column of the people the group is about (``age_65_plus``, ``age_0_14``, ``total``)."""
        return self.counts[0]

    @property
    def tag(self) -> str:
        """The demand's part of derived column names (``65_plus``, ``0_14``, ``total``): ``added_0_14``."""
        return suffix(self.demand)

    @property
    def columns(self) -> tuple[str, ...]:
        """``total`` and the group's counts, once each: the head-counts its tables carry."""
        return tuple(dict.fromkeys(("total", *self.counts)))

    @property
    def label_key(self) -> str:
        return f"target_group_{self.id}"

    def label(self, lang: str | None = None) -> str:
        """The group's name in ``lang`` (子ども（0～14歳）)."""
        return t(self.label_key, lang)

    def localized(self, lang: str | None = None) -> str:
        """The label, so that a group can be a value of a catalogue message."""
        return self.label(lang)


OLDER = TargetGroup("older", ("age_65_plus", "age_75_plus"), glossary.DEFAULT_KIND_IDS)
CHILDREN = TargetGroup("children", ("age_0_14",), ("kodomo_shokudo", "child_facility"),
                       glossary.CHILDREN_TARGET_WORDS)
#: Everyone: the gathering places of both groups and the halls where everyone meets.
EVERYONE = TargetGroup("all", ("total",), (*glossary.DEFAULT_KIND_IDS, "community_centre", "kodomo_shokudo",
                                            "child_facility"))
TARGET_GROUPS: tuple[TargetGroup, ...] = (OLDER, CHILDREN, EVERYONE)
TARGET_GROUP_IDS: tuple[str, ...] = tuple(group.id for group in TARGET_GROUPS)
#: The group every analysis counts unless told otherwise: today's output, unchanged.
DEFAULT_GROUP = OLDER


class UnknownTargetGroup(UsageError):
    """A group no one defined (``--group teens``, ``?group=…``): the message lists the choices."""


class MissingCounts(ConflictError):
    """The population dataset has no count of the group's ages (a table of totals, or one without 0–14)."""


def spellings(group: TargetGroup) -> tuple[str, ...]:
    """Every way a user may name ``group``: its id, its labels in each language, and the glossary's words for it."""
    return tuple(dict.fromkeys((group.id, group.label("ja"), group.label("en"), group.label("en").lower(),
                                *glossary.TARGET_GROUP_WORDS.get(group.id, ()))))


def target_group(value: str | TargetGroup | None) -> TargetGroup:
    """The group ``value`` names (an id, a label, a word such as 子ども); None or blank: :data:`DEFAULT_GROUP`.

    Raises
    ------
    UnknownTargetGroup
        If nothing is named so; the message lists the groups.
    """
    if isinstance(value, TargetGroup):
        return value
    if value is None or not str(value).strip():
        return DEFAULT_GROUP
    text = str(value).strip()
    for group in TARGET_GROUPS:
        if text in spellings(group) or text.lower() in (spelling.lower() for spelling in spellings(group)):
            return group
    raise UnknownTargetGroup("unknown_target_group", field="group", found=text,
                             groups=", ".join(TARGET_GROUP_IDS))


def serves(resources: pd.DataFrame, group: TargetGroup) -> np.ndarray:
    """Which of ``resources`` serve ``group``: one of its kinds, or a ``target_groups`` cell naming it.

    A 子育てひろば listed as その他 with 対象 「親子」 serves children as a 児童館 does.  A cell saying
    the place welcomes anyone (:data:`~geo_welfare.core.glossary.ANYONE_WORDS`) does not add a place
    of another kind: every 通所介護 would otherwise count as a children's place.
    """
    kind = resources["kind"].isin(group.kinds).to_numpy(dtype=bool) if "kind" in resources else \
        np.zeros(len(resources), dtype=bool)
    if not group.target_words or "target_groups" not in resources:
        return kind
    text = resources["target_groups"].where(resources["target_groups"].notna(), "").astype(str)
    named = text.map(lambda cell: any(word in cell for word in group.target_words)).to_numpy(dtype=bool)
    return kind | named


def require_counts(population: pd.DataFrame, group: TargetGroup, dataset: str | None) -> None:
    """Refuse a group whose counts ``population`` does not hold, rather than count them as zeros.

    A column absent, or without one known value in a dataset that has rows, is missing: a table of
    totals has no 0–14, and its children are unknown, not none.

    Raises
    ------
    MissingCounts
        Naming the dataset, the missing column and the group.
    """
    if len(population) == 0:
        return
    for column in group.counts:
        if column not in population or not population[column].notna().any():
            raise MissingCounts("target_group_counts_missing", dataset=dataset or "", column=column,
                                header=Word(f"table_{column}"), group=group)
