"""Drive a real BrowserSession and a StaticSession side by side and compare what they show."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from mira.env.actions import parse_action

_LINE = re.compile(r"^\s*\[(?P<id>[^\]]+)\]\s+(?P<role>\S+)(?:\s+'(?P<name>.*?)')?(?:\s|$)")


def find_id(text: str, role: str, name: str, nth: int = 0) -> str:
    hits = [m["id"] for m in map(_LINE.match, text.splitlines()) if m and m["role"] == role and (m["name"] or "") == name]
    if len(hits) <= nth:
        raise AssertionError(f"no {role} {name!r} in:\n{text}")
    return hits[nth]


@dataclass
class Pair:
    """The two sessions; `step` acts on both and asserts identical observations."""

    real: Any
    static: Any
    log: list[str] = field(default_factory=list)
    bases: tuple[str, str] = ("", "")
    """(real base URL, static base URL) when the two run against two servers: URLs compare modulo it."""

    def _url(self, url: str, which: int) -> str:
        base = self.bases[which]
        return url.replace(base, "BASE") if base else url

    def check(self, what: str) -> str:
        a, b = self.real.observe(), self.static.observe()
        assert (self._url(a.url, 0), a.tabs) == (self._url(b.url, 1), b.tabs), f"after {what}: url/tabs differ: {a.url} {a.tabs} vs {b.url} {b.tabs}"
        if a.text != b.text:
            import difflib
            diff = "\n".join(difflib.unified_diff(a.text.splitlines(), b.text.splitlines(), "browser", "static",
                                                  lineterm="", n=1))
            raise AssertionError(f"after {what} at {a.url}: observations differ\n{diff}")
        va = [self._url(u, 0) for u in self.real.visited_urls]
        vb = [self._url(u, 1) for u in self.static.visited_urls]
        assert va == vb, (va, vb)
        self.log.append(what)
        return a.text

    def goto(self, url: str) -> str:
        """`url` may start with BASE (replaced by each side's base)."""
        ea = self.real.goto(url.replace("BASE", self.bases[0]))
        eb = self.static.goto(url.replace("BASE", self.bases[1]))
        assert bool(ea) == bool(eb), f"goto {url}: errors differ: {ea!r} vs {eb!r}"
        return self.check(f"goto {url}")

    def act(self, action: str) -> str:
        ea = self.real.execute(parse_action(action.replace("BASE", self.bases[0])))
        eb = self.static.execute(parse_action(action.replace("BASE", self.bases[1])))
        assert bool(ea) == bool(eb), f"{action}: errors differ: {ea!r} vs {eb!r}"
        return self.check(action)

    def act_on(self, verb: str, role: str, name: str, *rest: str, nth: int = 0) -> str:
        """`verb [id-of role 'name'] [rest...]`, the id read off the current observation."""
        el = find_id(self.static.observe().text, role, name, nth)
        return self.act(f"{verb} [{el}]" + "".join(f" [{r}]" for r in rest))
