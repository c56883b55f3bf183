"""Render a pack to HTML (print view) and to PDF from the same template, with WeasyPrint.

Works with or without a Flask app: outside one, a plain Jinja environment with autoescaping
loads the project's templates. WeasyPrint only gets local files it was explicitly allowed to
read (the stylesheet and photo folders) and data: URIs; nothing is fetched from the network.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlparse

import jinja2

from verhalenbank.pakketten.gegevens import FotoInfo, PakketInhoud

PAKKET_MAP = Path(__file__).resolve().parents[1]  # the verhalenbank package (ships templates, static)
TEMPLATES = PAKKET_MAP / "templates"
STATIC = PAKKET_MAP / "static"
CSS_PAD = STATIC / "css" / "pakket.css"

FotoBron = Callable[[FotoInfo], str]


def _standaard_foto_bron(foto: FotoInfo) -> str:
    return foto.bron


@lru_cache(maxsize=1)
def jinja_omgeving() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,  # story text is user input: always escaped
        undefined=jinja2.StrictUndefined,
    )


def _omgeving(env: jinja2.Environment | None) -> jinja2.Environment:
    return env if env is not None else jinja_omgeving()


def render_html(
    inhoud: PakketInhoud,
    css_href: str | None = None,
    foto_bron: FotoBron = _standaard_foto_bron,
    env: jinja2.Environment | None = None,
    template: str = "pakketten/print.html",
    zelfstandig: bool = False,
) -> str:
    """The print view. `zelfstandig`: stylesheet inlined, for a file that is moved or mailed."""
    template_obj = _omgeving(env).get_template(template)
    return template_obj.render(
        inhoud=inhoud, css_href=css_href or CSS_PAD.as_uri(), foto_src=foto_bron,
        css_inline=CSS_PAD.read_text(encoding="utf-8") if zelfstandig else "",
    )


def render_samenvatting_html(inhoud: PakketInhoud, css_href: str | None = None, env=None) -> str:
    return render_html(inhoud, css_href, env=env, template="pakketten/samenvatting.html")


def _toegestaan(url: str, mappen: list[Path]) -> bool:
    if url.startswith("data:"):
        return True
    deel = urlparse(url)
    if deel.scheme != "file":
        return False
    pad = Path(unquote(deel.path)).resolve()
    return pad.is_file() and any(pad.is_relative_to(m) for m in mappen)


def _beperkte_fetcher(toegestaan: Iterable[Path]):
    """A URL fetcher for WeasyPrint that reads only data: URIs and files in these folders."""
    import weasyprint
    from weasyprint import urls

    mappen = [Path(p).resolve() for p in toegestaan]
    if hasattr(urls, "URLFetcher"):  # WeasyPrint >= 68: fetcher objects

        class BeperkteFetcher(urls.URLFetcher):
            def fetch(self, url, headers=None):
                if not _toegestaan(url, mappen):
                    raise ValueError(f"Bron niet toegestaan in een pakket: {url[:80]}")
                return super().fetch(url, headers)

        return BeperkteFetcher(allowed_protocols={"file", "data"})

    def fetcher(url: str, *args, **kwargs):  # older WeasyPrint: a function returning a dict
        if not _toegestaan(url, mappen):
            raise ValueError(f"Bron niet toegestaan in een pakket: {url[:80]}")
        return weasyprint.default_url_fetcher(url, *args, **kwargs)

    return fetcher


@lru_cache(maxsize=1)
def _dejavu_tekens() -> frozenset[int]:
    """Code points the DejaVu Sans font covers (empty when it cannot be found)."""
    try:
        import subprocess

        from fontTools.ttLib import TTFont

        pad = subprocess.run(["fc-match", "-f", "%{file}", "DejaVu Sans"], capture_output=True,
                             text=True, timeout=5).stdout.strip()
        return frozenset(TTFont(pad, lazy=True).getBestCmap()) if pad else frozenset()
    except Exception:  # noqa: BLE001 - no fontconfig/fontTools: filter by range only
        return frozenset()


def _zonder_onprintbare_tekens(html: str) -> str:
    """Drop emoji and other symbols no installed font can draw.

    Without a glyph WeasyPrint embeds a ".notdef" box and re-encodes the font so the PDF's
    text can no longer be copied or searched; a missing emoji is the lesser harm on paper.
    """
    gedekt = _dejavu_tekens()

    def onprintbaar(teken: str) -> bool:
        code = ord(teken)
        if code < 0x2000 or code in gedekt:
            return False
        return code >= 0x1F000 or 0x2600 <= code <= 0x27BF or code in (0xFE0F, 0xFE0E, 0x200D, 0x20E3)

    return "".join(t for t in html if not onprintbaar(t))


def html_naar_pdf(html: str, toegestaan: Iterable[Path] = (), doel: Path | None = None) -> bytes:
    """PDF bytes (and optionally written to `doel`) from print HTML; only local allowed files."""
    import weasyprint

    html = _zonder_onprintbare_tekens(html)

    document = weasyprint.HTML(
        string=html,
        base_url=STATIC.as_uri() + "/",
        url_fetcher=_beperkte_fetcher([STATIC, *toegestaan]),
    )
    pdf = document.write_pdf()
    if doel is not None:
        Path(doel).write_bytes(pdf)
    return pdf


def render_pdf(
    inhoud: PakketInhoud,
    foto_map: Path | None = None,
    foto_bron: FotoBron | None = None,
    env: jinja2.Environment | None = None,
    template: str = "pakketten/print.html",
) -> bytes:
    """The PDF of the same print template; photos are read from `foto_map` as file URIs."""
    if foto_bron is None:
        if foto_map is not None:
            def foto_bron(foto: FotoInfo) -> str:
                return (Path(foto_map) / foto.bron).as_uri()
        else:
            foto_bron = _standaard_foto_bron
    html = render_html(inhoud, CSS_PAD.as_uri(), foto_bron, env=env, template=template)
    return html_naar_pdf(html, [foto_map] if foto_map else [])
