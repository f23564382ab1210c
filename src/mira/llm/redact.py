"""Keep secrets out of names, logs and error messages."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_SECRET_PARAMS = re.compile(r"key|token|secret|password|auth|sig", re.I)


def redact_url(url: str) -> str:
    """Drop user:password@ and the values of key/token-like query parameters from a URL."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    query = urlencode([(k, "***" if _SECRET_PARAMS.search(k) else v) for k, v in parse_qsl(parts.query)])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def redact(text: str, secrets: list[str]) -> str:
    """Replace every occurrence of each non-empty secret with ***."""
    for s in secrets:
        if s:
            text = text.replace(s, "***")
    return text
