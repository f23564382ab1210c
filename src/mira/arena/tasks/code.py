"""Code-host task templates (ids 400-499): information, navigation and state changes on the `code` site."""

from __future__ import annotations

import random
import re
from typing import Any
from urllib.parse import quote_plus

from mira.arena.db import Database
from mira.arena.oracle import find, read, select
from mira.arena.tasks import TaskSpec, TaskTemplate, register
from mira.arena.tasks._fc import (
    Gen,
    answer_ms,
    go,
    go_type,
    html_check,
    html_eval,
    ms,
    row_with,
    string_eval,
    table_rows,
    url_eval,
    url_ms,
)
from mira.types import Observation

C = "__CODE__"
ME = 1  # the code account tasks run as (code.DEFAULT_USER_ID, byteblaze)
N = 12


def _pick(rng: random.Random, items: list[Any], n: int = N) -> list[Any]:
    return rng.sample(items, min(n, len(items)))


def _projects(db: Database, where: str = "1", *params: Any) -> list[str]:
    return [f"{r[0]}/{r[1]}" for r in db.query(f"SELECT namespace, name FROM code_projects p WHERE {where}"
                                               " ORDER BY id", params)]


def _pid(db: Database, project: str) -> int:
    ns, name = project.split("/")
    return int(db.scalar("SELECT id FROM code_projects WHERE namespace = ? AND name = ?", (ns, name)))


def _prx(project: str, rest: str = "") -> str:
    """Regex of a project's page (path `rest` below it) in a visited URL."""
    return "/code/" + re.escape(project) + rest


def _reg(tid: int, kind: str, intent: str, instances: Any, build: Any, solve: Any, test_only: bool = False) -> None:
    register(TaskTemplate(tid, ("code",), intent, kind, instances, build, solve, test_only))


def _stop(answer: Any = "") -> str:
    return f"stop [{answer}]"


def open_project(obs: Observation, project: str) -> Gen:
    """From any page of the code site: search the project list and open the project."""
    ns, name = project.split("/")
    if find(obs, "textbox", "Search projects") is None:
        obs = yield from go(obs, "link", "Projects")
    obs = yield from go_type(obs, "textbox", "Search projects", name)
    obs = yield from go(obs, "link", f"{ns} / {name}")
    return obs


def find_issue(obs: Observation, project: str, title: str, state_link: str = "") -> Gen:
    """Open a project's issue by title: project, Issues, (a state filter), search, the issue."""
    obs = yield from open_project(obs, project)
    obs = yield from go(obs, "link", "Issues")
    if state_link:
        obs = yield from go(obs, "link", state_link)
    obs = yield from go_type(obs, "textbox", "Search issues", title)
    obs = yield from go(obs, "link", title)
    return obs


def issue_row(db: Database, project: str, title: str) -> Any:
    return db.one("SELECT i.*, u.username AS assignee_name FROM code_issues i LEFT JOIN code_users u"
                  " ON u.id = i.assignee_id WHERE i.project_id = ? AND i.title = ?", (_pid(db, project), title))


def issues_of(db: Database, rng: random.Random, where: str = "1", n: int = N) -> list[tuple[str, str]]:
    rows = db.query("SELECT p.namespace || '/' || p.name, i.title FROM code_issues i JOIN code_projects p"
                    f" ON p.id = i.project_id WHERE {where} ORDER BY i.id")
    return _pick(rng, [(r[0], r[1]) for r in rows], n)


# 400 --- info: stars of a project
def _i400(db: Database, rng: random.Random) -> list[dict[str, Any]]:
    return [{"project": p} for p in _pick(rng, _projects(db))]


def _b400(inst: dict[str, Any], db: Database) -> TaskSpec:
    stars = db.scalar("SELECT stars FROM code_projects WHERE id = ?", (_pid(db, inst["project"]),))
    ns, name = inst["project"].split("/")
    return TaskSpec(f"{C}/", string_eval(stars), [
        ms("Find the project in the list", {"kind": "text", "contains": f"{ns} / {name}"}),
        url_ms("Open the project", _prx(inst["project"], "$")), answer_ms("Answer with its number of stars")])


def _s400(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield from open_project(obs, inst["project"])
    yield _stop(read(obs, r"Stars: (\d+)"))


_reg(400, "info", "How many stars does the project {{project}} have?", _i400, _b400, _s400)


# 401 --- info: who is assigned to an issue
def _i401(db: Database, rng: random.Random) -> list[dict[str, Any]]:
    return [{"project": p, "title": t} for p, t in issues_of(db, rng, "i.assignee_id IS NOT NULL")]


def _b401(inst: dict[str, Any], db: Database) -> TaskSpec:
    row = issue_row(db, inst["project"], inst["title"])
    return TaskSpec(f"{C}/", string_eval(row["assignee_name"]), [
        url_ms("Open the project's issues", _prx(inst["project"], "/issues")),
        ms("Find the issue", {"kind": "text", "contains": inst["title"]}), answer_ms("Answer with the assignee")])


def _s401(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield from open_project(obs, inst["project"])
    obs = yield from go(obs, "link", "Issues")
    obs = yield from go(obs, "link", "All")
    obs = yield from go_type(obs, "textbox", "Search issues", inst["title"])
    yield _stop(row_with(obs, 1, inst["title"])[3])


_reg(401, "info", 'Who is assigned to the issue "{{title}}" in {{project}}?', _i401, _b401, _s401)


# 402 --- info: how many open issues carry a label
def _i402(db: Database, rng: random.Random) -> list[dict[str, Any]]:
    rows = db.query("SELECT DISTINCT p.namespace || '/' || p.name, l.label FROM code_issue_labels l JOIN code_issues i"
                    " ON i.id = l.issue_id JOIN code_projects p ON p.id = i.project_id WHERE i.state = 'opened'"
                    " ORDER BY p.id, l.label")
    return [{"project": p, "label": lb} for p, lb in _pick(rng, [(r[0], r[1]) for r in rows])]


def _b402(inst: dict[str, Any], db: Database) -> TaskSpec:
    n = db.scalar("SELECT COUNT(*) FROM code_issues i JOIN code_issue_labels l ON l.issue_id = i.id WHERE"
                  " i.project_id = ? AND i.state = 'opened' AND l.label = ?", (_pid(db, inst["project"]), inst["label"]))
    return TaskSpec(f"{C}/", string_eval(n), [
        url_ms("Open the project's issues", _prx(inst["project"], "/issues")),
        url_ms(f"Filter by the label {inst['label']}", _prx(inst["project"], "/issues\\?.*label=")
               + re.escape(quote_plus(inst["label"]))),
        answer_ms("Answer with the count")])


def _s402(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield from open_project(obs, inst["project"])
    obs = yield from go(obs, "link", "Issues")
    obs = yield select(obs, "combobox", "Label", inst["label"])
    obs = yield from go(obs, "button", "Filter")
    yield _stop(read(obs, r"StaticText '(\d+) issues'"))


_reg(402, "info", 'How many open issues of {{project}} have the label "{{label}}"?', _i402, _b402, _s402)


# 403 --- info: message of the latest commit
def _b403(inst: dict[str, Any], db: Database) -> TaskSpec:
    msg = db.scalar("SELECT message FROM code_commits WHERE project_id = ? ORDER BY created DESC, id DESC LIMIT 1",
                    (_pid(db, inst["project"]),))
    return TaskSpec(f"{C}/", string_eval(msg), [
        url_ms("Open the project", _prx(inst["project"], "($|/)")), answer_ms("Answer with the latest commit message")])


def _s403(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield from open_project(obs, inst["project"])
    obs = yield from go(obs, "link", "Commits")
    yield _stop(table_rows(obs)[0][1])


_reg(403, "info", "What is the message of the latest commit in {{project}}?", _i400, _b403, _s403)


# 404 --- info: author of a commit, found by its short hash (pages through the commits)
def _i404(db: Database, rng: random.Random) -> list[dict[str, Any]]:
    out = []
    for p in _pick(rng, _projects(db, "(SELECT COUNT(*) FROM code_commits c WHERE c.project_id = p.id) > 25")):
        shas = [r[0] for r in db.query("SELECT sha FROM code_commits WHERE project_id = ? ORDER BY created DESC, id DESC",
                                       (_pid(db, p),))]
        out.append({"project": p, "sha": rng.choice(shas[20:])[:8]})
    return out


def _b404(inst: dict[str, Any], db: Database) -> TaskSpec:
    author = db.scalar("SELECT u.username FROM code_commits c JOIN code_users u ON u.id = c.author_id WHERE"
                       " c.project_id = ? AND c.sha LIKE ?", (_pid(db, inst["project"]), inst["sha"] + "%"))
    return TaskSpec(f"{C}/", string_eval(author), [
        url_ms("Open the project's commits", _prx(inst["project"], "/commits")),
        ms("Find the commit", {"kind": "text", "contains": inst["sha"]}), answer_ms("Answer with its author")])


def _s404(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield from open_project(obs, inst["project"])
    obs = yield from go(obs, "link", "Commits")
    while not any(r[0] == inst["sha"] for r in table_rows(obs)):
        obs = yield from go(obs, "link", "Next")
    yield _stop(row_with(obs, 0, inst["sha"])[2])


_reg(404, "info", "Who authored the commit {{sha}} in {{project}}?", _i404, _b404, _s404)


# 405 --- nav: the closed issues of a project
def _b405(inst: dict[str, Any], db: Database) -> TaskSpec:
    return TaskSpec(f"{C}/", url_eval(f"{C}/{inst['project']}/issues?state=closed"), [
        url_ms("Open the project's issues", _prx(inst["project"], "/issues")),
        ms("Show the closed ones", {"kind": "url_now", "pattern": _prx(inst["project"], "/issues\\?state=closed")})])


def _s405(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield from open_project(obs, inst["project"])
    obs = yield from go(obs, "link", "Issues")
    obs = yield from go(obs, "link", "Closed")
    yield _stop()


_reg(405, "nav", "Show me the closed issues of {{project}}.", _i400, _b405, _s405)


# 406 --- nav: a file of a project (held out)
def _i406(db: Database, rng: random.Random) -> list[dict[str, Any]]:
    rows = db.query("SELECT p.namespace || '/' || p.name, f.path FROM code_files f JOIN code_projects p"
                    " ON p.id = f.project_id WHERE f.path != 'LICENSE' ORDER BY p.id, f.path")
    return [{"project": p, "file": f} for p, f in _pick(rng, [(r[0], r[1]) for r in rows], 10)]


def _b406(inst: dict[str, Any], db: Database) -> TaskSpec:
    return TaskSpec(f"{C}/", url_eval(f"{C}/{inst['project']}/blob/{inst['file']}"), [
        url_ms("Open the project", _prx(inst["project"], "$")),
        ms("Open the file", {"kind": "url_now", "pattern": _prx(inst["project"], "/blob/" + re.escape(inst["file"]))})])


def _s406(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield from open_project(obs, inst["project"])
    obs = yield from go(obs, "link", inst["file"])
    yield _stop()


_reg(406, "nav", "Open the file {{file}} of the project {{project}}.", _i406, _b406, _s406, test_only=True)


# 407 --- state: star a project
def _i407(db: Database, rng: random.Random) -> list[dict[str, Any]]:
    return [{"project": p} for p in _pick(rng, _projects(
        db, "id NOT IN (SELECT project_id FROM code_stars WHERE user_id = ?)", ME))]


def _b407(inst: dict[str, Any], db: Database) -> TaskSpec:
    check = html_check(f"{C}/{inst['project']}", ["You have starred this project"], "#star-status")
    return TaskSpec(f"{C}/", html_eval(check), [
        url_ms("Open the project", _prx(inst["project"], "$")),
        ms("Star it", {"kind": "db", "sql": "SELECT COUNT(*) FROM code_stars WHERE user_id = ? AND project_id = ?",
                       "params": [ME, _pid(db, inst["project"])]})])


def _s407(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield from open_project(obs, inst["project"])
    obs = yield from go(obs, "button", "Star")
    yield _stop()


_reg(407, "state", "Star the project {{project}}.", _i407, _b407, _s407)

from mira.arena.tasks import _code_more  # noqa: E402,F401  (templates 408-499)
