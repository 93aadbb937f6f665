"""Address matching: 10,000 addresses against the real gazetteers on one core, ours and a plain pandas join.

``python -m benchmarks geocode``.  The gazetteers are the real files in ``../shared/data`` (Sapporo's
位置参照情報 大字・町丁目, the Geolonia files of 藤沢市, 逗子市, 鎌倉市, 高松市) and the generated 街区
fixture, read with :func:`geo_welfare.layers.addresses.read_gazetteer` (the store is left out: it is
read once per import).  The list: the 1,373 real addresses of the truth check (schools, GSI sites,
Takamatsu's lists), then seeded addresses drawn from the gazetteer names as lists write them (digits
or kanji, 5-4-33 or 5丁目4番33号, the many dashes, the prefecture or city left out, a building and
floor after the number) up to :data:`ROWS`.

Peer, same run and same list: the fastest honest plain alternative, a pandas exact-string join —
house numbers cut off the end with one vectorised regex, NFKC applied, then ``merge`` on the full
names (prefecture + municipality + town, and municipality + town).  Both answers are compared first
(where the join finds a town, ours must find the same one), then the time, addresses per second
(median of :data:`REPEATS`, the normaliser's cache emptied before each), the share placed and the
rate of the first and last 1,000 rows (no slowdown on a long list).  Peak memory: this process
(``ru_maxrss``) and the matcher's own allocations (``tracemalloc``, a separate untimed run).
"""

from __future__ import annotations

import random
import resource
import statistics
import time
import tracemalloc
import unicodedata
from collections import Counter
from pathlib import Path

import pandas as pd

from geo_welfare.layers.addresses import Geocoder, read_gazetteer
from geo_welfare.layers.addresses.normalise import canonical

REPOSITORY = Path(__file__).resolve().parents[1]
SHARED = REPOSITORY.parent / "shared" / "data"
BLOCKS = REPOSITORY / "tests" / "data" / "generated_mlit_isj_gaiku_13101.csv"
GEOLONIA = {"fujisawa": "神奈川県藤沢市", "zushi": "神奈川県逗子市",
            "kamakura": "神奈川県鎌倉市", "takamatsu": "香川県高松市"}
ROWS, REPEATS, SEED = 10_000, 3, 20261202
TARGET_PER_S = 2_000


def gazetteer_records():
    records = read_gazetteer(SHARED / "sapporo" / "mlit_isj_oaza_chome_sapporo.csv") + read_gazetteer(BLOCKS)
    for city, name in GEOLONIA.items():
        records += read_gazetteer(SHARED / city / f"geolonia_japanese_addresses_{city}.json", municipality=name)
    return records


def real_addresses() -> list[str]:
    import csv
    import json
    found = []
    for relative, field in (("sapporo/school/papamama_Elementary_loc.geojson", "A27_008"),
                            ("sapporo/school/papamama_MiddleSchool_loc.geojson", "address"),
                            ("sapporo/gsi_emergency_evacuation_sites_011002.geojson", "住所"),
                            ("fujisawa/gsi_designated_shelters_142051.geojson", "住所"),
                            ("fujisawa/gsi_emergency_evacuation_sites_142051.geojson", "住所"),
                            ("zushi/gsi_designated_shelters_142085.geojson", "住所"),
                            ("zushi/gsi_emergency_evacuation_sites_142085.geojson", "住所")):
        found += [f["properties"][field] for f in json.loads((SHARED / relative).read_text("utf-8"))["features"]]
    for path in sorted((SHARED / "takamatsu").glob("takamatsu_*.csv")):
        found += [row["address"] for row in csv.DictReader(path.open(encoding="utf-8-sig")) if row.get("address")]
    return found


def written_as_lists_do(records, count: int, rng: random.Random) -> list[str]:
    """Seeded addresses from the gazetteer's own names, in the spellings lists use."""
    dashes = "-－−‐―ー"
    wide = str.maketrans("0123456789", "０１２３４５６７８９")
    towns = [r for r in records if r.block is None]
    made = []
    for record in rng.choices(towns, k=count):
        a, b = rng.randint(1, 30), rng.randint(1, 40)
        dash = rng.choice(dashes)
        numbers = rng.choice([f"{a}{dash}{b}", f"{a}番{b}号", f"{a}番地{b}", f"{a}の{b}"])
        if rng.random() < 0.3:
            numbers = numbers.translate(wide)
        head = rng.choice([(record.prefecture or "") + record.municipality, record.municipality, ""])
        tail = rng.choice(["", "", " ハイツ201", "ビル3階"])
        made.append(head + record.town + (record.koaza or "") + numbers + tail)
    return made


def pandas_join(addresses: list[str], records) -> pd.Series:
    """The plain alternative: strip the house numbers, NFKC, exact merge on the full names; the town or NaN."""
    names = pd.DataFrame({"town": [r.town + (r.koaza or "") for r in records if r.block is None],
                          "full": [(r.prefecture or "") + r.municipality + r.town + (r.koaza or "")
                                   for r in records if r.block is None],
                          "short": [r.municipality + r.town + (r.koaza or "") for r in records if r.block is None]})
    frame = pd.DataFrame({"address": addresses})
    frame["key"] = (frame["address"].map(lambda s: unicodedata.normalize("NFKC", s))
                    .str.replace(r"\s+", "", regex=True)
                    .str.replace(r"[\d\-−‐―ー番地号の]+\D*$", "", regex=True))
    by_full = frame.merge(names.drop_duplicates("full"), left_on="key", right_on="full", how="left")["town"]
    by_short = frame.merge(names.drop_duplicates("short"), left_on="key", right_on="short", how="left")["town"]
    return by_full.fillna(by_short)


def timed(function, repeats: int = REPEATS) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        canonical.cache_clear()
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def run() -> dict:
    started = time.perf_counter()
    records = gazetteer_records()
    read_s = time.perf_counter() - started
    started = time.perf_counter()
    geocoder = Geocoder(records)
    build_s = time.perf_counter() - started
    rng = random.Random(SEED)
    real = real_addresses()
    addresses = real + written_as_lists_do(records, ROWS - len(real), rng)
    ours_s, matches = timed(lambda: [geocoder.match(a) for a in addresses])
    peer_s, peer = timed(lambda: pandas_join(addresses, records))
    found = [(m, town) for m, town in zip(matches, peer) if isinstance(town, str)]
    disagree = [(m.matched, town) for m, town in found if town not in (m.matched or "")]
    assert not disagree, f"{len(disagree)} rows where the join found a town and ours another: {disagree[:5]}"
    finer = sum(1 for m, town in found if not m.matched.endswith(town))
    canonical.cache_clear()
    chunk = 1000
    first_s, _ = timed(lambda: [geocoder.match(a) for a in addresses[:chunk]], 1)
    last_s, _ = timed(lambda: [geocoder.match(a) for a in addresses[-chunk:]], 1)
    canonical.cache_clear()
    tracemalloc.start()
    [geocoder.match(a) for a in addresses]
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"records": len(records), "towns": geocoder.size, "read_s": read_s, "build_s": build_s,
            "rows": len(addresses), "real": len(real), "ours_s": ours_s, "peer_s": peer_s,
            "levels": Counter(m.level for m in matches), "peer_placed": int(peer.notna().sum()), "finer": finer,
            "first_per_s": chunk / first_s, "last_per_s": chunk / last_s, "traced_peak_mb": traced_peak / 2**20,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> dict:
    r = run()
    rows, placed = r["rows"], sum(r["levels"][level] for level in ("block", "chome", "oaza"))
    ours_rate, peer_rate = rows / r["ours_s"], rows / r["peer_s"]
    print(f"gazetteers: {r['records']:,} records, {r['towns']:,} towns (read {r['read_s']:.2f} s, index built in "
          f"{r['build_s']:.3f} s, both excluded); list: {rows:,} addresses ({r['real']:,} real, the rest seeded)")
    print(f"  answers compared first: wherever the pandas join found a town, ours found it too ({r['finer']:,} of "
          f"them one level finer: 稲荷1-9-1 is 稲荷一丁目 to us, 稲荷 to the join)")
    print(f"  ours:   {r['ours_s']:.3f} s = {ours_rate:,.0f} addresses/s on one core (median of {REPEATS}; "
          f"target ≥ {TARGET_PER_S:,}/s: {'met' if ours_rate >= TARGET_PER_S else 'NOT met'}); placed "
          f"{placed / rows:.1%} (" + ", ".join(f"{k} {v:,}" for k, v in sorted(r["levels"].items())) + ")")
    print(f"  pandas exact-string join: {r['peer_s']:.3f} s = {peer_rate:,.0f} addresses/s; placed "
          f"{r['peer_placed'] / rows:.1%}")
    print(f"  ratio ours / join time: {r['ours_s'] / r['peer_s']:.1f}× (the join is vectorised; it places "
          f"{r['peer_placed']:,} rows to our {placed:,})")
    print(f"  long list: first 1,000 rows {r['first_per_s']:,.0f}/s, last 1,000 rows {r['last_per_s']:,.0f}/s")
    print(f"  peak memory: process {r['peak_mb']:,.0f} MB (ru_maxrss); matching 10,000 rows allocates at most "
          f"{r['traced_peak_mb']:.1f} MB (tracemalloc)")
    return r


if __name__ == "__main__":
    main()
