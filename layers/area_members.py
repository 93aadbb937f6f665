"""Members of an area table matched to the known 町丁目, and who owns each 町丁目 and each 番 of it.

The known 町丁目 are the store's small areas (for the import) or a gazetteer's 町丁目 (to check a
table where no small-area polygons exist, as for 逗子市).  A member names a town (沼間: every
沼間N丁目 and a bare 沼間), some of its 丁目, and maybe some 番; :func:`claims` turns each into one
:class:`Claim` per 町丁目.  :func:`decide` then says, for one 町丁目, which area holds it:

- one area holding it whole: that area (``whole``);
- cut between areas, with the 番 known (``numbers``, from 街区 points): each 番 to the area holding
  it (``blocks``); a 番 cut at 号 goes to the area that holds the 番 itself, not only some 号 of
  it, because 街区 points cannot draw a line inside a 番 (warned, naming it);
- cut between areas with no 番 known, the **declared rule**: the whole 町丁目 goes to the area that
  holds the rest of it (the member written without 番, as 「桜山5丁目（35〜37番を除く）」);
  failing that, to the area that names most of its 番 (first in the table on a tie), warned.

Anything a person should look at is a :class:`Finding`: the 町丁目 in no area or in two, the 番 in
none or two, the cuts assigned by the rule, places that are not 町丁目 (葉桜団地).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from geo_welfare.core.errors import Problem
from geo_welfare.layers import area_grammar as g
from geo_welfare.layers.addresses.normalise import canonical
from geo_welfare.layers.area_tables import Blocks, TableRow

WHOLE, BLOCKS, REST_HOLDER, MOST_BLOCKS = "whole", "blocks", "rest_holder", "most_blocks"


@dataclass(frozen=True)
class Town:
    """A known 町丁目: its code (small-area code, or the name when it has none), name and municipality."""

    code: str
    name: str
    municipality: str | None = None

    @property
    def key(self) -> str:
        return canonical(self.name)


@dataclass(frozen=True)
class Claim:
    """An area's hold on one 町丁目: every 番 (``blocks`` empty) or some, less ``exceptions``."""

    area: str
    row: int
    town: Town
    blocks: tuple[Blocks, ...] = ()
    exceptions: tuple[Blocks, ...] = ()

    def holds(self, number: int | None) -> str | None:
        """How this claim holds 番 ``number`` (None: a 番 no row names): ``full``; ``most`` (the 番 less
        some 号, 「6〜16番（6番38〜42号を除く）」); ``some`` (only some 号, 「2番29〜59号」); or None."""
        if number is None:
            return "full" if not self.blocks else None
        kind = "full"
        if self.blocks:
            inside = [b for b in self.blocks if number in b.numbers()]
            if not inside:
                return None
            kind = "full" if any(b.houses is None for b in inside) else "some"
        out = [b for b in self.exceptions if number in b.numbers()]
        if any(b.houses is None for b in out):
            return None
        return ("most" if kind == "full" else kind) if out else kind

    def named(self) -> set[int]:
        return {n for b in (*self.blocks, *self.exceptions) for n in b.numbers()}


@dataclass(frozen=True)
class Finding:
    """Something about the table a person should look at: a catalogue key, its values, the row if one."""

    key: str
    values: dict = field(default_factory=dict)
    row: int | None = None

    def problem(self, file: str, column: str | None = None) -> Problem:
        return Problem(file, self.row, column if self.row is not None else None, self.key, self.values)


@dataclass
class Decision:
    """Who holds one 町丁目: the whole to ``owner``, or each 番 of ``blocks`` to its area; ``rule`` says how."""

    town: Town
    owner: str | None = None
    blocks: dict[int, str] = field(default_factory=dict)
    rule: str | None = None


def _in_municipality(town: Town, municipality: str | None) -> bool:
    if not municipality or not town.municipality:
        return True
    wanted, known = canonical(municipality), canonical(town.municipality)
    return wanted == known or known.endswith(wanted) or wanted.endswith(known)


def _matches(member_town: str, chome: Sequence[int], towns: Iterable[Town]) -> list[tuple[Town, int | None]]:
    if chome:
        wanted = {f"{member_town}{c}{g.CHOME}": c for c in chome}
        return [(town, wanted[town.key]) for town in towns if town.key in wanted]
    pattern = re.compile(rf"{re.escape(member_town)}(?P<c>\d+){g.CHOME}")
    found = []
    for town in towns:
        whole = pattern.fullmatch(town.key)
        if town.key == member_town or whole:
            found.append((town, int(whole["c"]) if whole else None))
    return found


def claims(rows: Sequence[TableRow], towns: Sequence[Town]) -> tuple[list[Claim], list[Finding]]:
    """Each row's member as claims on the known 町丁目; a member matching nothing is a finding (a refusal)."""
    by_code = {town.code: town for town in towns}
    result, findings = [], []
    for row in rows:
        if row.member_code is not None and row.member is None:
            town = by_code.get(row.member_code)
            if town is None:
                findings.append(Finding("area_table_member_code_unknown", {"code": row.member_code}, row.row))
            else:
                result.append(Claim(row.area_code, row.row, town))
            continue
        member = row.member
        for place in (*member.places, *member.excluded_places):
            findings.append(Finding("area_table_place_not_a_town", {"place": place, "member": row.text}, row.row))
        if not member.town:
            continue
        scope = [town for town in towns if _in_municipality(town, row.municipality)]
        if row.member_code is not None:
            scope = [town for town in scope if town.code == row.member_code]
        matched = _matches(member.town, member.chome, scope)
        missing = set(member.chome) - {c for _, c in matched}
        municipalities = {town.municipality for town, _ in matched}
        if not matched or missing:
            findings.append(Finding("area_table_member_unknown", {"member": row.text}, row.row))
            continue
        if len(municipalities) > 1:
            findings.append(Finding("area_table_member_ambiguous", {"member": row.text,
                                    "municipalities": g.JOIN.join(sorted(filter(None, municipalities)))}, row.row))
            continue
        for town, chome in matched:
            exceptions = tuple(cut.blocks for cut in member.exceptions if cut.chome in (None, chome))
            result.append(Claim(row.area_code, row.row, town, member.blocks, exceptions))
    return result, findings


def _owner(claims_here: Sequence[Claim], number: int | None) -> list[list[str]]:
    """The areas holding 番 ``number`` fully, then less some 号, then only some 号."""
    return [list(dict.fromkeys(c.area for c in claims_here if c.holds(number) == kind))
            for kind in ("full", "most", "some")]


# Long because each branch is one case of the declared rule, and reads best in order.
def decide(town: Town, claims_here: Sequence[Claim], numbers: set[int] | None = None
           ) -> tuple[Decision, list[Finding]]:
    """Who holds ``town`` (see the module); ``numbers`` are its 番 known from 街区 points, if any."""
    decision, findings = Decision(town), []
    name = town.name
    if not claims_here:
        return decision, [Finding("area_table_town_in_no_area", {"town": name})]
    areas = list(dict.fromkeys(c.area for c in claims_here))
    named = set().union(*(c.named() for c in claims_here))
    rest_full = _owner(claims_here, None)[0]
    if len(rest_full) > 1:
        findings.append(Finding("area_table_town_in_two_areas", {"town": name, "areas": g.JOIN.join(rest_full)}))
    if len(areas) == 1 and rest_full and not any(c.exceptions for c in claims_here if c.area == areas[0]):
        decision.owner, decision.rule = areas[0], WHOLE
        return decision, findings
    if len(rest_full) > 1 and not named:
        decision.owner, decision.rule = rest_full[0], WHOLE
        return decision, findings
    owners: dict[int, str] = {}
    for number in sorted(named | (numbers or set())):
        full, most, some = _owner(claims_here, number)
        block = f"{number}{g.BAN}"
        if len(full) > 1:
            findings.append(Finding("area_table_block_in_two_areas", {"town": name, "block": block,
                                                                      "areas": g.JOIN.join(full)}))
        ranked = list(dict.fromkeys(full + most + some))
        if numbers and len(ranked) > 1 and len(full) < 2:  # without points the whole 町丁目 goes by the rule
            findings.append(Finding("area_table_block_cut_at_house", {"town": name, "block": block,
                                    "area": ranked[0], "others": g.JOIN.join(ranked[1:])}))
        chosen = (ranked or [None])[0]
        if chosen is not None:
            owners[number] = chosen
        elif numbers and number in numbers:
            findings.append(Finding("area_table_block_in_no_area", {"town": name, "block": block}))
    if numbers:
        for number in sorted(numbers - set(owners)):
            full = _owner(claims_here, number)[0]
            if full:
                owners[number] = full[0]
        missing = sorted(named - numbers)
        if missing:
            findings.append(Finding("area_table_blocks_not_in_gazetteer", {
                "town": name, "blocks": g.JOIN.join(f"{n}{g.BAN}" for n in missing)}))
        decision.blocks = {n: owners[n] for n in sorted(numbers) if n in owners}
        decision.rule = BLOCKS
        return decision, findings
    counts = {area: len({n for n in named if owners.get(n) == area}) for area in areas}
    if rest_full:
        decision.owner, decision.rule = rest_full[0], REST_HOLDER
    else:
        decision.owner, decision.rule = max(areas, key=lambda area: counts[area]), MOST_BLOCKS
    findings.append(Finding(f"area_table_split_by_{decision.rule}", {
        "town": name, "area": decision.owner, "areas": g.JOIN.join(areas),
        "blocks": counts[decision.owner]}))
    return decision, findings


def coverage(towns: Sequence[Town], all_claims: Sequence[Claim],
             numbers: dict[str, set[int]] | None = None) -> tuple[list[Decision], list[Finding]]:
    """:func:`decide` for every known 町丁目 of the table's municipalities, in the order given."""
    by_town: dict[str, list[Claim]] = {}
    for claim in all_claims:
        by_town.setdefault(claim.town.code, []).append(claim)
    municipalities = {claim.town.municipality for claim in all_claims}
    decisions, findings = [], []
    for town in towns:
        if town.municipality not in municipalities:
            continue
        decision, more = decide(town, by_town.get(town.code, []), (numbers or {}).get(town.code))
        decisions.append(decision)
        findings += more
    return decisions, findings
