"""The web map as one HTML file that opens offline: every script, style and image inlined.

The page is the very one ``geo-welfare serve`` shows (built by :mod:`geo_welfare.web.map`, so the two cannot
drift apart), requested as an anonymous visitor would (so public places only), without base tiles
(tiles need a network), and with each of the app's ``/static/…`` scripts and styles written into
the file, the images Leaflet's CSS refers to as ``data:`` URIs.  A file has no response headers, so its
Content-Security-Policy is a ``<meta>`` element: scripts only with the nonce the page was served
with (the page's own and those inlined here), images only from ``data:`` URIs, nothing fetched
from elsewhere.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from pathlib import Path

SCRIPT = re.compile(r'<script\s+src="(?P<url>/static/[^"]+)"\s*>\s*</script>')
STYLESHEET = re.compile(r'<link\s+rel="stylesheet"\s+href="(?P<url>/static/[^"]+)"\s*/?>')
NONCE = re.compile(r"script-src [^;]*'nonce-(?P<nonce>[A-Za-z0-9_-]+)'")
CSS_URL = re.compile(r'url\((?P<quote>["\']?)(?P<path>(?!data:|https?:|/)[^)"\']+)(?P=quote)\)')


def _static_file(static: Path, url: str) -> Path:
    path = (static / url[len("/static/"):]).resolve()
    if static.resolve() not in path.parents or not path.is_file():
        raise FileNotFoundError(f"{url}: not among the app's static files")
    return path


def _data_uri(path: Path) -> str:
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _inline_css(path: Path) -> str:
    """A stylesheet with its relative ``url(…)`` images as data URIs."""
    def replace(match: re.Match) -> str:
        image = (path.parent / match["path"]).resolve()
        return f'url("{_data_uri(image)}")' if image.is_file() else match[0]
    return CSS_URL.sub(replace, path.read_text(encoding="utf-8"))


def offline_policy(nonce: str) -> str:
    """The offline file's Content-Security-Policy (``frame-ancestors`` is not allowed in a ``<meta>``)."""
    return (f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; img-src data:; "
            "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'")


def inline_assets(page: str, static: Path, nonce: str | None = None) -> str:
    """``page`` with its ``/static/…`` scripts and stylesheets written into it.

    With ``nonce`` (the one the page was served with), the inlined scripts carry it and the page's
    head starts with the matching Content-Security-Policy.
    """
    opening = f'<script nonce="{nonce}">' if nonce else "<script>"

    def script(match: re.Match) -> str:
        code = _static_file(static, match["url"]).read_text(encoding="utf-8")
        return opening + code.replace("</script", "<\\/script") + "</script>"

    def style(match: re.Match) -> str:
        return "<style>" + _inline_css(_static_file(static, match["url"])).replace("</style", "<\\/style") + "</style>"
    page = STYLESHEET.sub(style, SCRIPT.sub(script, page))
    if nonce:
        meta = f'<meta http-equiv="Content-Security-Policy" content="{offline_policy(nonce)}">'
        page = page.replace("<head>", "<head>\n" + meta, 1)
    return page


def offline_map_html(database_url: str, lang: str = "ja") -> tuple[str, int]:
    """The offline page of the store's map, and how many places are on it."""
    from geo_welfare.store import open_store
    from geo_welfare.store.read import read_resources
    from geo_welfare.web import create_app

    app = create_app(database_url, tiles="none", lang=lang)
    app.config["MAP_INLINE_AREAS_UP_TO"] = float("inf")  # no server to ask for areas later: all of them inside
    response = app.test_client().get(f"/?lang={lang}")  # an anonymous visitor's request, through the whole app
    if response.status_code != 200:
        raise RuntimeError(f"the map page answered {response.status_code}")
    page = response.get_data(as_text=True)
    served = NONCE.search(response.headers.get("Content-Security-Policy", ""))
    return (inline_assets(page, Path(app.static_folder), served["nonce"] if served else None),
            len(read_resources(open_store(database_url))))


def write_offline_map(database_url: str, output: str | Path, lang: str = "ja") -> int:
    """Write the offline map to ``output``; returns the number of places on it."""
    page, count = offline_map_html(database_url, lang)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(page, encoding="utf-8")
    return count
