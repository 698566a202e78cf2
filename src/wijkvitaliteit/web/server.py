"""Serving: roles and tokens, the role router and the server's start (``wijkvitaliteit serve``; docs/privacy.md).

Two roles: *corporatie* sees everything; *partner* (gemeente, tenants' organisation) is served from the
partner copy of the workspace (:mod:`workspace.partner`): aggregates only, small counts suppressed, no
record-level endpoint. Tokens come from a TOML file (``--tokens`` or ``$WIJKVITALITEIT_TOKENS``)::

    threshold = 5                       # suppress counts 1–4 for partners (CBS's rule)
    [tokens]
    corporatie = ["a-long-random-token"]
    partner = ["sha256:9f86d0…"]        # a token, or the SHA-256 of one

or from ``$WIJKVITALITEIT_TOKEN_CORPORATIE`` and ``$WIJKVITALITEIT_TOKEN_PARTNER``. A request presents
its token as ``Authorization: Bearer …``, as ``?token=…`` (once: the browser then keeps an HttpOnly
cookie), or in that cookie. Without tokens the server runs open as *corporatie*, and only on loopback.
"""

from __future__ import annotations

import atexit
import hashlib
import hmac
import itertools
import os
import re
import shutil
import signal
import sys
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode

from wijkvitaliteit.errors import InputError
from wijkvitaliteit.privacy import DEFAULT_THRESHOLD

ROLES = ("corporatie", "partner")
TOKENS_ENV = "WIJKVITALITEIT_TOKENS"
TOKEN_COOKIE = "wv_token"
OPEN_PATHS = ("/health",)


@dataclass(frozen=True)
class Access:
    tokens: dict[str, tuple[str, ...]] = field(default_factory=dict)  # role → SHA-256 hex digests
    threshold: int = DEFAULT_THRESHOLD
    behind_proxy: bool = False  # TLS ends at a proxy in front: the token cookie is Secure

    def role_of(self, token: str | None) -> str | None:
        if not token:
            return None
        digest = hashlib.sha256(token.encode()).hexdigest()
        for role, digests in self.tokens.items():
            if any(hmac.compare_digest(digest, d) for d in digests):
                return role
        return None


MIN_TOKEN = 16
HEX64 = re.compile(r"[0-9a-f]{64}")


def _digest(token: object, where: str | Path, column: str) -> str:
    """A token's SHA-256 (a ``sha256:…`` value is one already); anything shorter than the minimum is refused."""
    if not isinstance(token, str):
        raise InputError(where, "a token as a string", column=column, found=type(token).__name__)
    if token.startswith("sha256:"):
        digest = token.removeprefix("sha256:").lower()
        if not HEX64.fullmatch(digest):
            raise InputError(where, "sha256: followed by 64 hexadecimal digits", column=column, found=token[:20])
        return digest
    if len(token) < MIN_TOKEN:
        raise InputError(where, f"tokens of at least {MIN_TOKEN} characters", column=column, found=f"{len(token)} characters")
    return hashlib.sha256(token.encode()).hexdigest()


def _threshold(value: object, where: str | Path) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError(where, "a suppression threshold: a whole number of at least 1", column="threshold", found=value)
    return value


def load_access(path: str | Path | None = None, threshold: int | None = None, behind_proxy: bool = False) -> Access | None:
    """The configured tokens, or None when none are configured (an open, loopback-only server). Fails closed: a
    tokens file or token variable that is present but unusable stops the server with one line, never opens it."""
    path = path or os.environ.get(TOKENS_ENV)
    digests: dict[str, list[str]] = {}
    config_threshold = DEFAULT_THRESHOLD
    if path:
        path = Path(path)
        if not path.is_file():
            raise InputError(path, "a tokens TOML file", found="no such file")
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputError(path, "valid TOML", found=str(exc)) from None
        unknown = sorted(set(data) - {"tokens", "threshold"})
        if unknown:
            raise InputError(
                path, "only a [tokens] table and threshold", column=unknown[0], found=unknown[0], hint="see docs/privacy.md"
            )
        table = data.get("tokens")
        if not isinstance(table, dict) or not table:
            raise InputError(
                path,
                "a [tokens] table with a token for corporatie and for partner",
                column="tokens",
                found="none",
                hint="see docs/privacy.md",
            )
        other = sorted(set(table) - set(ROLES))
        if other:
            raise InputError(path, "roles corporatie and partner under [tokens]", column="tokens", found=other[0])
        for role, values in table.items():
            values = [values] if isinstance(values, str) else values
            if not isinstance(values, list) or not values:
                raise InputError(path, "a token or a list of tokens", column=f"tokens.{role}", found=values)
            digests[role] = [_digest(v, path, f"tokens.{role}") for v in values]
        if "threshold" in data:
            config_threshold = _threshold(data["threshold"], path)
    for role in ROLES:
        variable = f"WIJKVITALITEIT_TOKEN_{role.upper()}"
        value = os.environ.get(variable)
        if value is not None:  # present: it must be usable (an empty one is not)
            digests.setdefault(role, []).append(_digest(value, "environment", variable))
    if not digests:
        return None
    where = path or "environment"
    missing = [r for r in ROLES if r not in digests]
    if missing:
        raise InputError(where, "a token for each role (corporatie and partner)", found="none for " + ", ".join(missing))
    shared = set(digests["corporatie"]) & set(digests["partner"])
    if shared:
        raise InputError(
            where, "a different token for each role", column="tokens", found="one token serves both corporatie and partner"
        )
    chosen = _threshold(threshold, "--threshold") if threshold is not None else config_threshold
    return Access({r: tuple(ds) for r, ds in digests.items()}, chosen, behind_proxy)


def _token(scope: dict) -> tuple[str | None, bool]:
    """The token a request presents, and whether it came in the query string (then set the cookie)."""
    headers = {k.decode().lower(): v.decode() for k, v in scope.get("headers", [])}
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip(), False
    query = parse_qs(scope.get("query_string", b"").decode())
    if query.get("token"):
        return query["token"][0], True
    for part in headers.get("cookie", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == TOKEN_COOKIE:
            return value, False
    return None, False


class RoleRouter:
    """ASGI app: authenticate each request and hand it to the app of its role."""

    def __init__(self, apps: dict[str, Any], access: Access) -> None:
        self.apps, self.access = apps, access

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            return await self.apps["corporatie"](scope, receive, send)
        if scope["type"] != "http":
            return None
        if scope["path"] in OPEN_PATHS:
            return await self.apps["partner"](scope, receive, send)
        token, from_query = _token(scope)
        role = self.access.role_of(token)
        if role is None:
            body = b'{"detail": "a valid token is required (Authorization: Bearer ..., or ?token=...)"}'
            await send(
                {
                    "type": "http.response.start",
                    "status": 401,
                    "headers": [(b"content-type", b"application/json"), (b"www-authenticate", b'Bearer realm="wijkvitaliteit"')],
                }
            )
            return await send({"type": "http.response.body", "body": body})
        if from_query:  # answer with the same address without the token; the browser keeps it in a cookie
            secure = "; Secure" if scope.get("scheme") == "https" or self.access.behind_proxy else ""
            cookie = f"{TOKEN_COOKIE}={token}; HttpOnly; SameSite=Lax; Path=/; Max-Age=43200{secure}"
            query = urlencode([(k, v) for k, v in parse_qsl(scope.get("query_string", b"").decode()) if k != "token"])
            location = scope.get("root_path", "") + scope["path"] + (f"?{query}" if query else "")
            await send(
                {
                    "type": "http.response.start",
                    "status": 303,
                    "headers": [
                        (b"location", location.encode()),
                        (b"set-cookie", cookie.encode()),
                        (b"referrer-policy", b"no-referrer"),
                        (b"cache-control", b"no-store"),
                    ],
                }
            )
            return await send({"type": "http.response.body", "body": b""})
        return await self.apps[role](scope, receive, send)


def build_server_app(workspace: Path, access: Access | None):
    """The app ``serve`` runs: open (corporatie) without tokens, else a router over both roles' apps. Both follow
    the workspace file: after an import or a score they serve the new state (the partner's copy is made anew)."""
    from wijkvitaliteit.web.app import create_app
    from wijkvitaliteit.web.state import ServedWorkspace
    from wijkvitaliteit.workspace.partner import make_partner_copy

    if access is None:
        return create_app(workspace, warm=True)
    tmp = Path(tempfile.mkdtemp(prefix="wijkvitaliteit-partner-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)  # the copies live as long as the server
    counter = itertools.count(1)

    def partner_copy(path: Path) -> Path:
        return make_partner_copy(path, tmp / f"partner-{next(counter)}.duckdb", access.threshold)

    partner = ServedWorkspace(Path(workspace), prepare=partner_copy)
    return RoleRouter(
        {
            "corporatie": create_app(workspace, role="corporatie", warm=True),
            "partner": create_app(partner, role="partner", warm=True),
        },
        access,
    )


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def serve(workspace: Path, host: str, port: int, access: Access | None = None, on_ready=None) -> None:
    """Build the app (a bad workspace or setting fails here, with one line), call ``on_ready``, then serve."""
    import uvicorn

    if access is None and host not in LOOPBACK:
        raise InputError(
            None,
            "tokens for both roles (--tokens FILE, see docs/privacy.md) to serve beyond loopback",
            found=f"--host {host} without tokens",
        )
    app = build_server_app(workspace, access)  # a bad workspace raises InputError before the server starts
    if on_ready is not None:
        on_ready()
    # uvicorn stops on SIGTERM and then raises the signal again: exit through Python so that the partner copies
    # and the workspace links are removed (atexit), as on Ctrl+C
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_level="warning",
            proxy_headers=bool(access and access.behind_proxy),
            forwarded_allow_ips="*" if access and access.behind_proxy else None,
        )
    finally:  # stop the warming threads before Python waits for them at exit
        for each in app.apps.values() if isinstance(app, RoleRouter) else [app]:
            each.state.close()
