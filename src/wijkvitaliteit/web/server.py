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
import shutil
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

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

    def role_of(self, token: str | None) -> str | None:
        if not token:
            return None
        digest = hashlib.sha256(token.encode()).hexdigest()
        for role, digests in self.tokens.items():
            if any(hmac.compare_digest(digest, d) for d in digests):
                return role
        return None


def _digest(token: str) -> str:
    return token.removeprefix("sha256:").lower() if token.startswith("sha256:") else hashlib.sha256(token.encode()).hexdigest()


def load_access(path: str | Path | None = None, threshold: int | None = None) -> Access | None:
    """The configured tokens, or None when none are configured (an open, loopback-only server)."""
    path = path or os.environ.get(TOKENS_ENV)
    tokens: dict[str, list[str]] = {}
    config_threshold = DEFAULT_THRESHOLD
    if path:
        path = Path(path)
        if not path.exists():
            raise InputError(path, "a tokens TOML file", found="no such file")
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise InputError(path, "valid TOML", found=str(exc)) from None
        unknown = sorted(set(data.get("tokens", {})) - set(ROLES))
        if unknown:
            raise InputError(path, "roles corporatie and partner under [tokens]", column="tokens", found=unknown[0])
        for role, values in data.get("tokens", {}).items():
            values = [values] if isinstance(values, str) else list(values)
            if any(not isinstance(v, str) or len(v) < 16 for v in values):
                raise InputError(path, "tokens of at least 16 characters", column=f"tokens.{role}")
            tokens[role] = values
        config_threshold = int(data.get("threshold", DEFAULT_THRESHOLD))
    for role in ROLES:
        value = os.environ.get(f"WIJKVITALITEIT_TOKEN_{role.upper()}")
        if value:
            tokens.setdefault(role, []).append(value)
    if not tokens:
        return None
    missing = [r for r in ROLES if r not in tokens]
    if missing:
        raise InputError(
            path or "environment", "a token for each role (corporatie and partner)", found="none for " + ", ".join(missing)
        )
    chosen = threshold if threshold is not None else config_threshold
    if chosen < 1:
        raise InputError(path or "environment", "a suppression threshold of at least 1", column="threshold", found=chosen)
    return Access({r: tuple(_digest(v) for v in vs) for r, vs in tokens.items()}, chosen)


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

    def __init__(self, apps: dict[str, object], access: Access) -> None:
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
        if from_query:

            async def send_with_cookie(message):
                if message["type"] == "http.response.start":
                    cookie = f"{TOKEN_COOKIE}={token}; HttpOnly; SameSite=Lax; Path=/; Max-Age=43200"
                    message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", cookie.encode())]}
                await send(message)

            return await self.apps[role](scope, receive, send_with_cookie)
        return await self.apps[role](scope, receive, send)


def build_server_app(workspace: Path, access: Access | None):
    """The app ``serve`` runs: open (corporatie) without tokens, else a router over both roles' apps. Both follow
    the workspace file: after an import or a score they serve the new state (the partner's copy is made anew)."""
    from wijkvitaliteit.web.app import create_app
    from wijkvitaliteit.web.state import ServedWorkspace
    from wijkvitaliteit.workspace.partner import make_partner_copy

    if access is None:
        return create_app(workspace)
    tmp = Path(tempfile.mkdtemp(prefix="wijkvitaliteit-partner-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)  # the copies live as long as the server
    counter = itertools.count(1)

    def partner_copy(path: Path) -> Path:
        return make_partner_copy(path, tmp / f"partner-{next(counter)}.duckdb", access.threshold)

    partner = ServedWorkspace(Path(workspace), "partner", prepare=partner_copy)
    return RoleRouter(
        {"corporatie": create_app(workspace, role="corporatie"), "partner": create_app(partner, role="partner")}, access
    )


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def serve(workspace: Path, host: str, port: int, access: Access | None = None) -> None:
    import uvicorn

    if access is None and host not in LOOPBACK:
        raise InputError(
            None,
            "tokens for both roles (--tokens FILE, see docs/privacy.md) to serve beyond loopback",
            found=f"--host {host} without tokens",
        )
    app = build_server_app(workspace, access)  # a bad workspace raises InputError before the server starts
    uvicorn.run(app, host=host, port=port, log_level="warning")
