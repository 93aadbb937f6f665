"""Stored text never runs as script: XSS payloads in every field, on every view, in real headless Chromium.

A small town is written here whose every stored text holds markup that would run if a page inserted
it as HTML (``"><img onerror>``, ``<svg onload>``, ``</script><script>``, a JavaScript template
literal's ``${…}``), a link that breaks out of its attribute, a Jinja expression (``{{7*7}}``) and matplotlib's mathtext
(``$\\alpha$``): resource name, address, phone, URL, schedule, target, fee, note and operator from a
CSV import; district and small-area names from a GeoJSON import; a candidate site; a place added
through the editors' API; and the editor's user name.  Every view, tooltip (with a real mouse
hover), popup, list, printout and the CSW page's PDF is opened; no script may run
(``window.__xss`` stays undefined, no dialog opens, the Content-Security-Policy reports nothing)
and the text must show as written.  Last, the policy itself is shown to stop script that reaches a
page unescaped, as a backstop for an escape someone forgets.
"""

from __future__ import annotations

import csv
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from geo_welfare.store import open_store
from geo_welfare.store.importing import import_areas, import_candidates, import_population, import_resources
from geo_welfare.store.users import add_user
from geo_welfare.web import create_app
from geo_welfare.web.offline import write_offline_map
from helpers import ARTIFACTS, Watched, flat, run, serve

IMG = '"><img src=x onerror="window.__xss=1">'
SVG = '<svg onload="window.__xss=2">'
SCRIPT = '</script><script>window.__xss=3</script>'
LITERAL = '`${window.__xss=5}`\\'
TEMPLATE = "{{7*7}}"
MATH = "$\\alpha$"
#: A link breaking out of an attribute (a ``javascript:`` link itself is refused on import and edit:
#: ``tests/test_security_input.py``).
JS_URL = 'https://example.jp/"><img src=x onerror="window.__xss=4">'

SMALL_AREAS = {"T001": "北町" + IMG, "T002": "南町" + SCRIPT + TEMPLATE + MATH, "T003": "遠町" + LITERAL + SVG}
DISTRICT = "小学校区" + SVG + MATH
RESOURCE_HEADER = ["ID", "名称", "種別", "住所", "緯度", "経度", "開催日", "開始時間", "終了時間", "対象者", "参加費",
                   "電話番号", "URL", "備考", "運営主体", "公開"]
#: Two imported places, every text field holding a payload; the fields as the popup and the list show them.
R1 = {"name": "サロン" + IMG + MATH, "address": "住所" + SVG, "schedule": "開催日" + SCRIPT, "target": "対象" + TEMPLATE,
      "schedule_shown": "開催日" + SCRIPT,  # not understood: the text as written
      "fee": "参加費" + MATH, "phone": "電話" + LITERAL, "url": JS_URL, "note": "備考" + IMG, "operator": "運営" + SVG}
R2 = {"name": "縁側" + SCRIPT + LITERAL, "address": "住所" + IMG, "schedule": "毎週水曜日", "target": "対象" + SVG,
      "schedule_shown": "毎週 水曜日 10:00〜12:00",
      "fee": "参加費" + IMG, "phone": "電話" + SCRIPT, "url": JS_URL, "note": "備考" + TEMPLATE, "operator": "運営" + MATH}
#: A place added through the editors' API (what the edit form sends).
R3 = {"name": "編集" + SVG + TEMPLATE, "kind": "salon", "address": "住所" + LITERAL, "schedule_text": "毎週金曜日" + IMG,
      "target_groups": "対象" + SCRIPT, "fee": "参加費" + SVG, "phone": "電話" + IMG, "url": JS_URL,
      "note": "備考" + SCRIPT, "operator": "運営" + LITERAL, "lon": 139.409, "lat": 35.207}
CANDIDATE = "候補" + IMG + MATH
#: A user name may hold anything but white space.
USER, PASSWORD = '"><img/src=x/onerror=window.__xss=6>' + "{{7*7}}", "correct horse battery 9"

CLOSE_POPUPS = "() => Object.values(window).filter(v => v instanceof L.Map).forEach(map => map.closePopup())"
#: Script the tests add to every page before its own: records what the policy refused and every dialog.
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def _square(code: str, name: str, x0: float, x1: float) -> dict:
    return {"type": "Feature", "properties": {"code": code, "name": name},
            "geometry": {"type": "Polygon", "coordinates": [[[x0, 35.20], [x1, 35.20], [x1, 35.21], [x0, 35.21],
                                                             [x0, 35.20]]]}}


def _row(identifier: str, kind: str, lon: float, fields: dict, start: str = "", end: str = "") -> list[str]:
    return [identifier, fields["name"], kind, fields["address"], "35.205", str(lon), fields["schedule"], start, end,
            fields["target"], fields["fee"], fields["phone"], fields["url"], fields["note"], fields["operator"], "公開"]


def build_town(url: str, folder: Path) -> None:
    """The town: three small areas (the third beyond walking reach), one district, ages, two places, a candidate."""
    folder.mkdir(parents=True, exist_ok=True)
    small, district = folder / "small_areas.geojson", folder / "district.geojson"
    squares = [_square(code, name, x0, x0 + 0.01) for (code, name), x0 in zip(SMALL_AREAS.items(), (139.40, 139.41,
                                                                                                   139.44))]
    small.write_text(json.dumps({"type": "FeatureCollection", "features": squares}, ensure_ascii=False), "utf-8")
    district.write_text(json.dumps({"type": "FeatureCollection", "features": [
        _square("E01", DISTRICT, 139.40, 139.45)]}, ensure_ascii=False), "utf-8")
    population = folder / "population.csv"
    population.write_text("KEY_CODE,地域名,総数,0～14歳,15～64歳,65歳以上,75歳以上,世帯数\nT001,北町,100,10,60,30,12,45\n"
                          "T002,南町,50,5,30,15,7,20\nT003,遠町,80,5,40,35,20,40\n", encoding="utf-8")
    resources, candidates = folder / "resources.csv", folder / "candidates.csv"
    with open(resources, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([RESOURCE_HEADER, _row("R1", "サロン", 139.405, R1),
                                      _row("R2", "地域の縁側", 139.415, R2, "10:00", "12:00")])
    with open(candidates, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["ID", "名称", "種別", "住所", "緯度", "経度"],
                                      ["C1", CANDIDATE, "集会所", "候補地" + SVG, "35.205", "139.445"]])
    engine = open_store(url)
    import_areas(engine, [small], "small_area")
    import_areas(engine, [district], "elementary_district")
    import_population(engine, [population])
    import_resources(engine, [resources])
    import_candidates(engine, [candidates])
    add_user(engine, USER, PASSWORD, "editor")


def sign_in(client) -> str:
    """Sign ``client`` in as :data:`USER` through the form; returns the session's CSRF token."""
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"username": USER, "password": PASSWORD, "csrf_token": token,
                                       "next": "/"}).status_code == 302
    return client.get("/api/session").get_json()["csrf_token"]


@pytest.fixture(scope="module")
def town(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("xss")
    url = f"sqlite:///{folder / 'store.sqlite'}"
    build_town(url, folder / "files")
    client = create_app(url, tiles="none").test_client()
    answer = client.post("/api/resources", json=R3, headers={"X-CSRFToken": sign_in(client)})
    assert answer.status_code == 201, answer.get_json()
    return url


@pytest.fixture(scope="module")
def base(town):
    yield from serve(create_app(town, tiles="none"))


class Page(Watched):
    """A watched page that also records dialogs and the policy's refusals."""

    def __init__(self, browser, base: str):
        super().__init__(browser, base)
        self.dialogs: list[str] = []
        self.rest = ".gw-side"
        self.page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        self.page.add_init_script(WATCH)

    def open(self, path: str, rest: str = ".gw-side") -> None:
        """Go to ``path``; the mouse rests on ``rest`` (a box over no map) between hovers."""
        self.page.goto(self.base + path, wait_until="networkidle")
        self.rest = rest

    def settle(self) -> None:
        """The mouse off the map, and every tooltip and popup gone (Leaflet fades them out)."""
        box = self.page.locator(self.rest).first.bounding_box()
        self.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        self.page.evaluate(CLOSE_POPUPS)
        self.page.wait_for_function("() => !document.querySelector('.leaflet-tooltip, .leaflet-popup')")

    def tooltip(self) -> str:
        tooltip = self.page.locator(".leaflet-tooltip")
        tooltip.wait_for()
        return tooltip.inner_text().strip()

    def hover(self, locator) -> str:
        """A real mouse hover over ``locator``; the tooltip's text."""
        self.settle()
        locator.hover(force=True)
        return self.tooltip()

    def hover_at(self, point: str, *arguments) -> str:
        """A real mouse hover at the page point the script ``point`` finds (once nothing else is open)."""
        self.settle()
        self.page.mouse.move(*self.page.evaluate(point, *arguments))
        return self.tooltip()

    def nothing_ran(self) -> None:
        assert self.page.evaluate("typeof window.__xss") == "undefined"
        assert self.dialogs == []
        assert self.page.evaluate("window.__csp") == []
        assert self.errors == []
        self.check_offline()


class Scripts(HTMLParser):
    """The attributes of every ``<script>`` element of a page (their contents are not markup)."""

    def __init__(self):
        super().__init__()
        self.found: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.found.append(dict(attrs))


def shown(text: str) -> str:
    """``text`` as a browser's inner text gives it (white space folded)."""
    return re.sub(r"\s+", " ", text).strip()


# ---------------------------------------------------------------------------------------------
# The map page.

#: Shows one overlay of the map page's layer switcher alone; returns the page points inside each of its shapes.
SHOW_OVERLAY = """name => {
  const config = JSON.parse(document.getElementById('gw-map-config').textContent);
  const map = window[config.map], control = window[config.control];
  control._layers.forEach(e => { if (e.overlay) { if (e.name === name) { map.addLayer(e.layer); }
                                                  else { map.removeLayer(e.layer); } } });
  const entry = control._layers.find(e => e.name === name);
  window.__shown = name;
  window.__shapes = [];
  (function visit(l) { if (l.getLayers) { l.getLayers().forEach(visit); } else { window.__shapes.push(l); } })(
    entry.layer);
  return window.__shapes.length;
}"""
#: Fits the map to shape ``i`` of the shown overlay and brings it to the front; a page point where the
#: shape itself is the topmost element (its box's centre may lie outside a concave shape).
POINT_OF = """i => {
  const config = JSON.parse(document.getElementById('gw-map-config').textContent);
  const map = window[config.map], shape = window.__shapes[i];
  map.fitBounds(shape.getBounds(), {animate: false, padding: [40, 40]});
  shape.bringToFront();
  const box = map.getContainer().getBoundingClientRect();
  const a = map.latLngToContainerPoint(shape.getBounds().getNorthWest());
  const b = map.latLngToContainerPoint(shape.getBounds().getSouthEast());
  const points = [];
  for (const f of [0.5, 0.3, 0.7, 0.1, 0.9]) { for (const g of [0.5, 0.3, 0.7, 0.1, 0.9]) {
    points.push([box.left + a.x + f * (b.x - a.x), box.top + a.y + g * (b.y - a.y)]);
  } }
  (function rings(l) { if (l.length && l[0].lat === undefined) { l.forEach(rings); return; }  // unfilled: the outline
    l.forEach((p, k) => { const q = l[(k + 1) % l.length];
                          const c = map.latLngToContainerPoint([(p.lat + q.lat) / 2, (p.lng + q.lng) / 2]);
                          points.push([box.left + c.x, box.top + c.y]); }); })(shape.getLatLngs());
  for (const [x, y] of points) { if (document.elementFromPoint(x, y) === shape.getElement()) { return [x, y]; } }
  const top = document.elementFromPoint(box.left + (a.x + b.x) / 2, box.top + (a.y + b.y) / 2);
  throw new Error('no point of shape ' + i + ' of ' + window.__shown + ' is on top: ' + top.outerHTML.slice(0, 200));
}"""


def overlay_tooltips(page: Page, name: str, loaded: str | None = None) -> set[str]:
    """Every shape of the overlay ``name`` hovered with the mouse: the tooltips' texts.

    ``loaded``: the body attribute static/map.js sets when an overlay it fetches on demand has come.
    """
    count = page.page.evaluate(SHOW_OVERLAY, name)
    if loaded:
        page.page.wait_for_function("(name) => document.body.hasAttribute(name)", arg=loaded)
        count = page.page.evaluate(SHOW_OVERLAY, name)
    texts = set()
    for index in range(count):
        texts.add(page.hover_at(POINT_OF, index))
    return texts


RESOURCES = {R1["name"]: R1, R2["name"]: R2}


def popup_checks(page: Page, resource: dict, *fields: str) -> str:
    """The open popup shows the resource's name and ``fields`` as written; closes it."""
    popup = page.page.locator(".leaflet-popup-content")
    text = shown(popup.inner_text())
    assert shown(popup.locator("h4").inner_text()) == shown(resource["name"])
    for field in fields:
        assert shown(resource[field]) in text, (field, text)
    page.page.evaluate(CLOSE_POPUPS)
    return text


@pytest.mark.browser
def test_the_map_shows_every_stored_text_as_text(browser, base):
    page = Page(browser, base)
    page.open("/", rest=".gw-legend")
    markers = page.page.locator("path.gw-resource")
    assert markers.count() == 3
    names = set()
    for index in range(3):
        names.add(page.hover(markers.nth(index)))
        page.settle()
        markers.nth(index).click(force=True)
        popup = page.page.locator(".leaflet-popup-content h4")
        popup.wait_for()
        name = popup.inner_text()
        if name in RESOURCES:
            popup_checks(page, RESOURCES[name], "address", "schedule_shown", "target", "fee", "phone")
        else:
            page.page.evaluate(CLOSE_POPUPS)
    assert names == {shown(R1["name"]), shown(R2["name"]), shown(R3["name"])}
    assert overlay_tooltips(page, "町丁・字（小地域）") == {shown(name) for name in SMALL_AREAS.values()}
    assert overlay_tooltips(page, "小学校区") == {shown(DISTRICT)}
    shaded = overlay_tooltips(page, "高齢化率（分位数）")  # the choropleth: name and value
    assert {re.split(r"[\t\n]", text)[0].strip() for text in shaded} == {shown(name) for name in SMALL_AREAS.values()}
    # The planner's overlays, loaded when switched on: walking areas (places' names) and gaps (areas' names).
    assert overlay_tooltips(page, "資源の徒歩圏（15分）", "data-overlay-0") == {shown(R1["name"]), shown(R2["name"]),
                                                                               shown(R3["name"])}
    assert overlay_tooltips(page, "徒歩圏外の地域（15分）", "data-overlay-1") == {shown(DISTRICT)}
    ARTIFACTS.mkdir(exist_ok=True)
    page.page.screenshot(path=str(ARTIFACTS / "security_xss_map.png"))
    page.nothing_ran()
    page.page.close()


@pytest.mark.browser
def test_an_editor_sees_the_same_texts_in_the_markers_the_form_and_the_history(browser, base):
    page = Page(browser, base)
    page.open("/login")
    page.page.fill("#username", USER)
    page.page.fill("#password", PASSWORD)
    with page.page.expect_navigation(wait_until="networkidle"):
        page.page.click("button[type=submit]")
    page.rest = ".gw-legend"
    assert USER in page.page.locator(".gw-user-name").inner_text()
    markers = page.page.locator(".gw-edit-marker")
    assert markers.count() == 3
    assert {page.hover(markers.nth(index)) for index in range(3)} == {shown(R1["name"]), shown(R2["name"]),
                                                                        shown(R3["name"])}
    for index in range(3):
        page.settle()
        markers.nth(index).click(force=True)
        heading = page.page.locator(".leaflet-popup-content h4")
        heading.wait_for()
        if heading.inner_text() != R3["name"]:
            page.page.evaluate(CLOSE_POPUPS)
            continue
        page.page.locator(".leaflet-popup .gw-edit-button").click()
        page.page.locator(".gw-editor h5").wait_for()  # the form and the history list
        assert page.page.locator(".gw-editor h4").inner_text() == R3["name"]
        for field in ("name", "address", "schedule_text", "target_groups", "fee", "phone", "url", "operator"):
            assert page.page.locator(f"#gw-field-{field}").input_value() == R3[field], field
        assert page.page.locator("#gw-field-note").input_value() == R3["note"]
        assert USER in page.page.locator(".gw-history").inner_text()
        break
    else:
        pytest.fail("the place added through the API is not on the editor's map")
    assert page.page.locator("a[href^='javascript:' i]").count() == 0
    page.page.screenshot(path=str(ARTIFACTS / "security_xss_editor.png"))
    page.nothing_ran()
    page.page.close()


@pytest.mark.browser
def test_a_refused_sign_in_shows_the_name_typed_as_text(browser, base):
    page = Page(browser, base)
    page.open("/login")
    page.page.fill("#username", IMG + SCRIPT)
    page.page.fill("#password", "wrong password 1")
    with page.page.expect_navigation(wait_until="networkidle"):
        page.page.click("button[type=submit]")
    assert page.page.locator("#username").input_value() == IMG + SCRIPT
    page.errors[:] = [error for error in page.errors if "status of 401" not in error]  # the refusal itself
    page.nothing_ran()
    page.page.close()


# ---------------------------------------------------------------------------------------------
# The planner, the coordinator and the CSW page.

@pytest.mark.browser
def test_the_planner_shows_names_as_text_in_tables_tooltips_and_popups(browser, base):
    page = Page(browser, base)
    page.open("/planner")
    page.page.wait_for_function("() => document.body.hasAttribute('data-gaps')")
    first_cell = page.page.locator("#coverage-table tbody tr").first.locator("td").first
    assert shown(first_cell.inner_text()) == shown(DISTRICT)
    page.page.select_option("#unit", "small_area")
    page.page.click("#run")
    page.page.wait_for_function("() => document.querySelectorAll('#coverage-table tbody tr').length === 4")
    cells = {shown(text) for text in page.page.locator("#coverage-table tbody tr td:first-child").all_inner_texts()}
    assert {shown(name) for name in SMALL_AREAS.values()} <= cells
    places = page.page.locator(".leaflet-gwPlaces-pane .gw-shape-icon")
    assert {page.hover(places.nth(i)) for i in range(places.count())} == {shown(R1["name"]), shown(R2["name"]),
                                                                            shown(R3["name"])}
    gap = page.page.locator(".leaflet-overlay-pane path[fill='#7b3294']").first
    gap.click(force=True)
    popup = page.page.locator(".leaflet-popup-content b")
    popup.wait_for()
    assert shown(popup.inner_text()) == shown(SMALL_AREAS["T003"])
    page.page.fill("#k", "1")
    page.page.click("#plan")
    page.page.wait_for_selector("#plan-sites li")
    assert shown(page.page.locator("#plan-sites li").inner_text()).startswith(shown(CANDIDATE))
    assert page.hover(page.page.locator(".gw-site")) == shown(CANDIDATE)
    page.page.screenshot(path=str(ARTIFACTS / "security_xss_planner.png"))
    page.nothing_ran()
    page.page.close()


@pytest.mark.browser
def test_the_coordinators_list_tooltips_and_printout_show_text(browser, base):
    page = Page(browser, base)
    page.open("/coordinator")
    page.page.evaluate("() => window.gwCoordinatorMap.setView([35.205, 139.41], 15, {animate: false})")
    backgrounds = page.page.locator("path.gw-background-place")
    assert {page.hover(backgrounds.nth(i)) for i in range(3)} == {shown(R1["name"]), shown(R2["name"]),
                                                                    shown(R3["name"])}
    page.page.locator("#map").click(position={"x": 200, "y": 200})
    page.page.wait_for_function("() => document.querySelectorAll('#results li').length === 3")
    items = page.page.locator("#results li")
    entries = {shown(items.nth(i).locator("h3").inner_text()): shown(items.nth(i).inner_text()) for i in range(3)}
    for resource in (R1, R2):
        entry = next(text for heading, text in entries.items() if heading.startswith(shown(resource["name"])))
        for field in ("address", "phone"):
            assert shown(resource[field]) in entry, (field, entry)
    assert shown(R3["address"]) in entries[next(h for h in entries if h.startswith(shown(R3["name"])))]
    labels = page.page.locator(".gw-place-label")
    assert {page.hover(labels.nth(i)) for i in range(3)} == {shown(R1["name"]), shown(R2["name"]), shown(R3["name"])}
    route = page.hover(page.page.locator("path.gw-route-1"))
    assert route.split(": ", 1)[1] in {shown(R1["name"]), shown(R2["name"]), shown(R3["name"])}
    page.page.emulate_media(media="print")
    printed = shown(page.page.locator("#printable").inner_text())
    assert shown(R1["name"]) in printed and shown(R2["address"]) in printed and shown(R3["phone"]) in printed
    page.page.screenshot(path=str(ARTIFACTS / "security_xss_coordinator_print.png"), full_page=True)
    page.page.emulate_media(media="screen")
    page.nothing_ran()
    page.page.close()


@pytest.mark.browser
def test_the_csw_page_and_its_pdf_show_names_as_text(browser, base, tmp_path):
    page = Page(browser, base)
    page.open("/csw?unit=elementary_district&code=E01")
    assert page.page.locator("#district-name").inner_text() == DISTRICT
    listed = [shown(text) for text in page.page.locator("#place-list li b").all_inner_texts()]
    assert sorted(listed) == sorted([shown(R1["name"]), shown(R2["name"]), shown(R3["name"])])
    markers = page.page.locator(".gw-shape-icon")
    assert {page.hover(markers.nth(i)) for i in range(3)} == {shown(R1["name"]), shown(R2["name"]), shown(R3["name"])}
    assert page.page.locator(".gw-place-number").all_inner_texts() == ["1", "2", "3"]
    with page.page.expect_download() as download:
        page.page.click("#download-pdf")
    pdf = tmp_path / "district.pdf"
    download.value.save_as(pdf)
    text = flat(run("pdftotext", "-enc", "UTF-8", pdf, "-"))
    for name in (DISTRICT, R1["name"], R2["name"], R3["name"]):
        assert flat(name) in text, name  # mathtext would have drawn $\alpha$ as α
    assert "α" not in text
    page.nothing_ran()
    page.page.close()


def test_the_print_map_draws_dollar_signs_as_written(town, tmp_path):
    """matplotlib reads ``$…$`` as mathtext; on the print map (title, list, neighbours) it is plain text."""
    client = create_app(town, tiles="none").test_client()
    for lang in ("ja", "en"):
        answer = client.get(f"/district/elementary_district/E01/map.pdf?lang={lang}")
        assert answer.status_code == 200
        pdf = tmp_path / f"map_{lang}.pdf"
        pdf.write_bytes(answer.data)
        text = flat(run("pdftotext", "-enc", "UTF-8", pdf, "-"))
        assert flat(DISTRICT) in text and flat(R1["name"]) in text and "α" not in text


# ---------------------------------------------------------------------------------------------
# The policy as a backstop, and the offline copy.

#: Markup put into the page unescaped, as a forgotten escape would, and an inline script added after load.
INJECT = """() => {
  document.body.insertAdjacentHTML('beforeend', '<img src="data:,x" onerror="window.__xss=7">');
  const script = document.createElement('script');
  script.textContent = 'window.__xss = 8';
  document.body.appendChild(script);
}"""


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/", "/planner", "/coordinator", "/csw", "/login"])
def test_the_policy_stops_script_that_reaches_a_page_unescaped(browser, base, path):
    page = Page(browser, base)
    page.open(path)
    page.page.evaluate(INJECT)
    page.page.wait_for_function("() => window.__csp.length >= 2")
    assert page.page.evaluate("typeof window.__xss") == "undefined"
    refused = page.page.evaluate("window.__csp")
    assert any(entry.startswith("script-src-attr") for entry in refused), refused
    assert any(entry.startswith("script-src-elem") for entry in refused), refused
    assert page.dialogs == [] and all("Content Security Policy" in error for error in page.errors), page.errors
    page.page.close()


@pytest.mark.browser
def test_the_offline_copy_carries_the_policy_and_still_draws_its_map(browser, town, tmp_path):
    output = tmp_path / "offline.html"
    write_offline_map(town, output)
    html = output.read_text(encoding="utf-8")
    policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html).group(1)
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    scripts = Scripts()
    scripts.feed(html)
    assert len(scripts.found) > 4 and all(attributes.get("nonce") == nonce for attributes in scripts.found
                                          if attributes.get("type") != "application/json")
    page = Page(browser, "file://")
    page.page.goto(output.as_uri(), wait_until="load")
    page.rest = ".gw-legend"
    page.page.wait_for_function("() => document.querySelectorAll('path.gw-resource').length === 3")
    assert page.hover(page.page.locator("path.gw-resource").first) in {shown(r["name"]) for r in (R1, R2, R3)}
    assert page.page.evaluate("typeof window.__xss") == "undefined" and page.dialogs == []
    assert page.page.evaluate("window.__csp") == [] and page.errors == []
    page.page.close()
