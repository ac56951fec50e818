"""Reach maps as PNG: kaleido drives a local Chromium, offline (the topojson from ``geo/``,
plotly.js from the plotly package, every other request to a dead proxy); one browser may serve
a whole run's maps (``browser_session``)."""

import asyncio
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import plotly
import plotly.graph_objects as go

from leanetl.lib.campaigns.reach_map import GEO_DIR

PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
# Chromium's own background services must not reach out either: send them to a closed port.
_DEAD_PROXY = "http://127.0.0.1:9"


def _browser(browser_path: str) -> str | None:
    """Chrome/Chromium for kaleido: ``browser_path`` (setting BROWSER_PATH) if given, else one
    on ``PATH``."""
    if browser_path:
        return browser_path if Path(browser_path).is_file() else None
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        if found := shutil.which(name):
            return found
    return None


def png_bytes(
    fig: go.Figure, width: int = 1200, height: int = 600, browser_path: str = ""
) -> tuple[bytes | None, str]:
    """The figure as PNG through kaleido (v1, headless Chromium), offline; or ``(None, why)``."""
    images, note = png_images([fig], width, height, browser_path)
    return (images[0] if images else None), note


def _kaleido_options(browser: str) -> dict[str, object]:
    # mathjax=False: kaleido's default loads MathJax from a CDN. The local topojson is read
    # over file://, which choreographer allows (--allow-file-access-from-files).
    return {
        "n": 1,
        "timeout": 60,
        "plotlyjs": PLOTLY_JS.as_uri(),
        "mathjax": False,
        "path": browser,
        "proxy_server": _DEAD_PROXY,
    }


_KALEIDO_ERRORS: tuple[type[BaseException], ...] = (OSError, TimeoutError)
# Whether browser_session() holds a browser open for png_images in this process.
_session = {"open": False}


@contextmanager
def browser_session(browser_path: str = "") -> Iterator[None]:
    """Keep one headless browser for every ``png_images`` call in the block (a run over many
    days draws maps each day; starting the browser costs ~4 s each time). If it cannot start,
    each call starts its own and reports why it could not."""
    browser = _browser(browser_path)
    try:
        import kaleido
        from kaleido.errors import BrowserClosedError, BrowserFailedError, ChromeNotFoundError
    except ImportError:
        yield
        return
    errors = (*_KALEIDO_ERRORS, ChromeNotFoundError, BrowserFailedError, BrowserClosedError)
    if browser is None or _session["open"] or not hasattr(kaleido, "start_sync_server"):
        yield
        return
    try:
        kaleido.start_sync_server(**_kaleido_options(browser), silence_warnings=True)
    except errors:
        yield
        return
    _session["open"] = True
    try:
        yield
    finally:
        _session["open"] = False
        kaleido.stop_sync_server(silence_warnings=True)


def png_images(
    figs: list[go.Figure], width: int = 1200, height: int = 600, browser_path: str = ""
) -> tuple[list[bytes] | None, str]:
    """Each figure as PNG, all in one browser session (starting it costs ~4 s); or ``(None, why)``.

    Unavailability (kaleido missing, no browser, browser fails to start) returns ``None``; a
    figure plotly.js cannot draw still raises.
    """
    if not figs:
        return [], "no figure"
    try:
        import kaleido
        from kaleido.errors import BrowserClosedError, BrowserFailedError, ChromeNotFoundError
    except ImportError:
        return None, "kaleido is not installed (pip install 'kaleido>=1')"
    if not hasattr(kaleido, "Kaleido"):
        return None, f"kaleido {version('kaleido')} is too old; plotly needs kaleido>=1"
    browser = _browser(browser_path)
    if browser is None:
        return None, "no Chrome/Chromium found (set BROWSER_PATH, e.g. /usr/bin/chromium)"

    opts = {"format": "png", "width": width, "height": height, "scale": 1}

    async def render() -> list[bytes]:
        async with kaleido.Kaleido(**_kaleido_options(browser)) as k:
            return [await k.calc_fig(fig, opts=opts, topojson=GEO_DIR.as_uri()) for fig in figs]

    try:
        if _session["open"]:
            data = [
                kaleido.calc_fig_sync(fig, opts=opts, topojson=GEO_DIR.as_uri()) for fig in figs
            ]
        else:
            # A thread of its own: asyncio.run cannot nest inside a caller's running event loop.
            with ThreadPoolExecutor(max_workers=1) as pool:
                data = pool.submit(asyncio.run, render()).result()
    except (
        ChromeNotFoundError,
        BrowserFailedError,
        BrowserClosedError,
        OSError,
        TimeoutError,
    ) as exc:
        return None, f"kaleido could not run {browser}: {type(exc).__name__}: {exc}"
    try:
        kaleido_version = version("kaleido")
    except PackageNotFoundError:
        kaleido_version = "?"
    return data, f"kaleido {kaleido_version} with {browser}"
