"""The arena's oracle: solves every task from the observation, like an agent would.

Each template's `solve(inst, obs)` is a generator that yields actions and receives the next observation.
The helpers here find element ids in the observation text (`[12] link 'Blue Mat'`); the oracle never
reads the database to pick an id, so its trajectories are valid demonstrations for SFT.
"""

from __future__ import annotations

import re
from collections.abc import Generator
from dataclasses import dataclass

from mira.types import Observation, Step, Task, Trajectory

# Names are not escaped, so a name ends at the last quote followed by the end of the line or a property.
_LINE = re.compile(r"^\s*\[(?P<id>[^\]]+)\]\s+(?P<role>\S+)(?:\s+'(?P<name>.*?)')?"
                   r"(?=$|,? (?:value=|checked=|selected|expanded=|disabled|required|focused))")


class OracleError(RuntimeError):
    """The page does not hold what the oracle expected: a bug in a site or a template."""


@dataclass(frozen=True)
class Node:
    id: str
    role: str
    name: str
    line: str


def nodes(obs: Observation) -> list[Node]:
    out = []
    for line in obs.text.splitlines():
        m = _LINE.match(line)
        if m:
            out.append(Node(m["id"], m["role"], m["name"] or "", line.strip()))
    return out


def find(obs: Observation, role: str, name: str, *, exact: bool = True, nth: int = 0) -> str | None:
    """The id of the nth node with this role and name (exact, or containing `name` when exact=False)."""
    hits = [n.id for n in nodes(obs) if n.role == role and (n.name == name if exact else name.lower() in n.name.lower())]
    return hits[nth] if len(hits) > nth else None


def need(obs: Observation, role: str, name: str, *, exact: bool = True, nth: int = 0) -> str:
    found = find(obs, role, name, exact=exact, nth=nth)
    if found is None:
        raise OracleError(f"no {role} {name!r} on {obs.url}:\n{obs.text[:3000]}")
    return found


def click(obs: Observation, role: str, name: str, *, exact: bool = True, nth: int = 0) -> str:
    return f"click [{need(obs, role, name, exact=exact, nth=nth)}]"


def type_into(obs: Observation, role: str, name: str, text: str, *, enter: bool = False) -> str:
    return f"type [{need(obs, role, name)}] [{text}] [{1 if enter else 0}]"


def select(obs: Observation, role: str, name: str, option: str) -> str:
    return f"select [{need(obs, role, name)}] [{option}]"


def read(obs: Observation, pattern: str) -> str:
    """The first group of `pattern` in the observation text (for answers read off the page)."""
    m = re.search(pattern, obs.text)
    if not m:
        raise OracleError(f"pattern {pattern!r} not on {obs.url}:\n{obs.text[:3000]}")
    return m.group(1) if m.groups() else m.group(0)


def seek(obs: Observation, role: str, name: str, *, next_link: str = "Next", exact: bool = True,
         max_pages: int = 50) -> Generator[str, Observation, tuple[Observation, str]]:
    """Page through a listing (clicking `next_link`) until the node appears; returns (obs, id).

    Use as `obs, node_id = yield from seek(obs, "link", "Blue Mat")`.
    """
    for _ in range(max_pages):
        found = find(obs, role, name, exact=exact)
        if found is not None:
            return obs, found
        obs = yield click(obs, "link", next_link)
    raise OracleError(f"{role} {name!r} not found in {max_pages} pages")


class OracleAgent:
    """Plays a task's oracle solution; registered as the `oracle` agent (arena tasks only)."""

    name = "oracle"

    def __init__(self) -> None:
        self._gen: Generator[str, Observation, None] | None = None
        self._task: Task | None = None

    def start(self, task: Task, obs: Observation, traj: Trajectory) -> None:
        from mira.arena.tasks import TEMPLATES, load_templates  # arena-only agent

        if not task.config or "intent_template_id" not in task.config:
            raise ValueError(f"the oracle solves arena tasks only; {task.id} has no arena template")
        load_templates()
        template = TEMPLATES[task.config["intent_template_id"]]
        self._gen = template.solve(task.config["instantiation_dict"], obs)
        self._first = True

    def act(self, obs: Observation, traj: Trajectory) -> Step:
        assert self._gen is not None, "start() first"
        try:
            action = next(self._gen) if self._first else self._gen.send(obs)
        except StopIteration:
            action = "stop []"
        self._first = False
        return Step(action=action, reply=action, progress=list(traj.progress))
