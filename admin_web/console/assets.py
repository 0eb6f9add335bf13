"""Browser files of the console: our own scripts and styles, and the npm libraries it builds on.

The libraries (bpmn-js, form-js, ECharts) are installed from the npm registry by ``npm ci``
(``package.json`` and ``package-lock.json`` at the repository root; ``make`` runs it) and
served straight from their ``dist`` folders in ``node_modules``; nothing third-party is
copied into the repository. When they are missing the console still serves its pages, with
a banner saying what to run.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from admin_web.keys import SETTINGS

STATIC = Path(__file__).resolve().parent / "static"
REPOSITORY_MODULES = Path(__file__).resolve().parents[2] / "node_modules"
# URL name -> the package's distribution folder inside node_modules
VENDOR = {
    "bpmn-js": Path("bpmn-js/dist"),
    "form-js": Path("@bpmn-io/form-js/dist"),
    "echarts": Path("echarts/dist"),
}
ASSETS_OK = web.AppKey("console_assets_ok", bool)


def modules_dir(app: web.Application) -> Path:
    return app[SETTINGS].console_assets_dir or REPOSITORY_MODULES


async def _missing(request: web.Request) -> web.Response:
    return web.Response(
        status=404,
        text="/* the console's browser libraries are not installed: run `npm ci` in the repository */\n",
        content_type="text/plain",
    )


def setup_assets(app: web.Application) -> None:
    app.router.add_static("/admin/static/", STATIC, name="console_static")
    root = modules_dir(app)
    ok = True
    for name, relative in VENDOR.items():
        folder = root / relative
        if folder.is_dir():
            app.router.add_static(f"/admin/vendor/{name}/", folder, name=f"vendor_{name}")
        else:
            ok = False
            app.router.add_get(f"/admin/vendor/{name}/{{path:.*}}", _missing, name=f"vendor_{name}")
    app[ASSETS_OK] = ok


__all__ = ["ASSETS_OK", "STATIC", "VENDOR", "setup_assets"]
