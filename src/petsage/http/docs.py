"""Swagger UI and ReDoc served from the installed `fastapi-offline` assets, never from a CDN.

Clusters often have no egress; documentation that needs the internet is blank exactly when
an operator opens it during an incident. Nor may a viewer's browser call out: each page has a
Content-Security-Policy that keeps every request on this host (ReDoc's bundle shows a logo from
cdn.redoc.ly; refused, its image hides itself), and Swagger UI's online validator is off.
Swagger UI follows the reader's `prefers-color-scheme`: its stylesheet has a dark theme under
`html.dark-mode` that only a class turns on, so a few inline lines set that class.
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from petsage.http.openapi import OPENAPI_URL
from petsage.http.routing import RecordedMount

STATIC_URL = "/docs-static"
# Both UIs style themselves inline; ReDoc searches in a worker it makes from a blob.
DOCS_CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src blob:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
# Before the body is drawn (no light flash), and again when the reader's scheme changes. The
# style: Swagger UI pads inline code 5 px high, and the dark theme's near-black chips then
# cover the line above; 1 px keeps them within their own line in both schemes.
FOLLOW_COLOR_SCHEME = """<meta name="color-scheme" content="light dark">
<style>.swagger-ui .markdown code, .swagger-ui .renderedMarkdown code { padding: 1px 5px; }</style>
<script>
(function () {
  var dark = window.matchMedia("(prefers-color-scheme: dark)");
  function follow() { document.documentElement.classList.toggle("dark-mode", dark.matches); }
  follow();
  dark.addEventListener("change", follow);
})();
</script>
"""


def follow_color_scheme(page: HTMLResponse) -> HTMLResponse:
    """`page` (Swagger UI's) with the lines that switch its dark theme on in dark mode."""
    html = bytes(page.body).decode().replace("</head>", FOLLOW_COLOR_SCHEME + "</head>", 1)
    return HTMLResponse(html, status_code=page.status_code)


def install_offline_docs(app: FastAPI, docs_url: str = "/docs", redoc_url: str = "/redoc") -> None:
    """Mount the bundled assets and the two documentation pages on `app`."""
    assets = files("fastapi_offline") / "static"
    static = StaticFiles(directory=str(assets))
    app.router.routes.append(RecordedMount(STATIC_URL, static, name="docs-static"))
    oauth2_redirect_url = app.swagger_ui_oauth2_redirect_url or "/docs/oauth2-redirect"

    @app.get(docs_url, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        page = get_swagger_ui_html(
            openapi_url=f"{root}{OPENAPI_URL}",
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=f"{root}{oauth2_redirect_url}",
            swagger_js_url=f"{root}{STATIC_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{STATIC_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{STATIC_URL}/favicon.png",
            # null: no badge that sends the document's URL to validator.swagger.io.
            swagger_ui_parameters={"validatorUrl": None},
        )
        page = follow_color_scheme(page)
        page.headers["content-security-policy"] = DOCS_CSP
        return page

    @app.get(oauth2_redirect_url, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get(redoc_url, include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        page = get_redoc_html(
            openapi_url=f"{root}{OPENAPI_URL}",
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{STATIC_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{STATIC_URL}/favicon.png",
            with_google_fonts=False,
        )
        page.headers["content-security-policy"] = DOCS_CSP
        return page
