"""Code-host task templates 408-418: issues, members and merge requests, and the long multi-step tasks."""

from __future__ import annotations

import random
from typing import Any

from mira.arena.db import Database
from mira.arena.oracle import click, select, type_into
from mira.arena.sites._code_data import LABELS
from mira.arena.tasks import TaskSpec
from mira.arena.tasks._fc import Gen, db_ms, go, html_check, html_eval, url_ms
from mira.arena.tasks.code import (
    ME,
    C,
    _pick,
    _pid,
    _projects,
    _prx,
    _reg,
    _stop,
    find_issue,
    issue_row,
    issues_of,
    open_project,
)
from mira.types import Observation

NEW_ISSUES = ["Broken link in the README", "Add a dark mode option", "Support configuration through env variables",
              "Crash on empty input file", "Document the release process", "Improve startup time",
              "Add examples for new users", "Translate the docs to Spanish", "Upgrade the CI image",
              "Error message is unclear when the network is down", "Add a changelog entry template",
              "Tests fail on a clean checkout"]
NOTES = ["I can take this one", "Confirmed on the latest main", "Duplicate of an older report",
         "Needs a test case before merging", "Fixed by the linked merge request", "Blocked on the upstream release"]
MR_TITLES = ["Add input validation", "Update documentation links", "Refactor configuration loading",
             "Fix flaky test", "Improve error messages", "Speed up the build"]
MANAGED = "id IN (SELECT project_id FROM code_members WHERE user_id = 1 AND role IN ('Maintainer', 'Owner'))"


def _members(db: Database, project: str) -> list[str]:
    return [r[0] for r in db.query("SELECT u.username FROM code_members m JOIN code_users u ON u.id = m.user_id"
                                   " WHERE m.project_id = ? ORDER BY u.id", (_pid(db, project),))]


def _uid(db: Database, username: str) -> int:
    return int(db.scalar("SELECT id FROM code_users WHERE username = ?", (username,)))


def _next_iid(db: Database, table: str, project: str) -> int:
    return int(db.scalar(f"SELECT MAX(iid) FROM {table} WHERE project_id = ?", (_pid(db, project),)) or 0) + 1


def _new_issue_inst(db: Database, rng: random.Random, project: str) -> dict[str, Any]:
    l1, l2 = rng.sample(LABELS, 2)
    return {"project": project, "title": rng.choice(NEW_ISSUES), "label1": l1, "label2": l2,
            "assignee": rng.choice(_members(db, project))}


def _new_issue_checks(inst: dict[str, Any], db: Database) -> tuple[str, list[dict[str, Any]]]:
    url = f"{C}/{inst['project']}/issues/{_next_iid(db, 'code_issues', inst['project'])}"
    return url, [html_check(url, [inst["title"]], "#issue-title"),
                 html_check(url, [inst["label1"], inst["label2"]], "#issue-labels"),
                 html_check(url, [inst["assignee"]], "#issue-assignee")]


NEW_ISSUE_SQL = ("SELECT COUNT(*) FROM code_issues i WHERE i.project_id = ? AND i.title = ? AND i.author_id = 1 AND"
                 " i.assignee_id = (SELECT id FROM code_users WHERE username = ?) AND (SELECT COUNT(*) FROM"
                 " code_issue_labels l WHERE l.issue_id = i.id AND l.label IN (?, ?)) = 2")


def _create_issue(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield from open_project(obs, inst["project"])
    obs = yield from go(obs, "link", "Issues")
    obs = yield from go(obs, "link", "New issue")
    obs = yield type_into(obs, "textbox", "Title", inst["title"])
    obs = yield click(obs, "checkbox", inst["label1"])
    obs = yield click(obs, "checkbox", inst["label2"])
    obs = yield select(obs, "combobox", "Assignee", inst["assignee"])
    obs = yield from go(obs, "button", "Create issue")
    return obs


# 408 --- state: create an issue with two labels and an assignee
def _i408(db: Database, rng: random.Random) -> list[dict[str, Any]]:
    return [_new_issue_inst(db, rng, p) for p in _pick(rng, _projects(db))]


def _b408(inst: dict[str, Any], db: Database) -> TaskSpec:
    _, checks = _new_issue_checks(inst, db)
    pid = _pid(db, inst["project"])
    return TaskSpec(f"{C}/", html_eval(*checks), [
        url_ms("Open the new issue form of the project", _prx(inst["project"], "/issues/new")),
        db_ms("Create the issue", "SELECT COUNT(*) FROM code_issues WHERE project_id = ? AND title = ?", pid,
              inst["title"]),
        db_ms("with both labels and the assignee", NEW_ISSUE_SQL, pid, inst["title"], inst["assignee"],
              inst["label1"], inst["label2"])])


def _s408(inst: dict[str, Any], obs: Observation) -> Gen:
    yield from _create_issue(inst, obs)
    yield _stop()


_reg(408, "state", 'Open an issue in {{project}} titled "{{title}}" with the labels {{label1}} and {{label2}},'
     " assigned to {{assignee}}.", _i408, _b408, _s408)


# 409 --- state: close an issue
def _i409(db: Database, rng: random.Random) -> list[dict[str, Any]]:
    return [{"project": p, "title": t} for p, t in issues_of(db, rng, "i.state = 'opened'")]


def _issue_url(db: Database, project: str, title: str) -> str:
    return f"{C}/{project}/issues/{issue_row(db, project, title)['iid']}"


def _b409(inst: dict[str, Any], db: Database) -> TaskSpec:
    row = issue_row(db, inst["project"], inst["title"])
    return TaskSpec(f"{C}/", html_eval(html_check(_issue_url(db, inst["project"], inst["title"]), ["Status: Closed"],
                                                  "#issue-state")), [
        url_ms("Open the issue", _prx(inst["project"], f"/issues/{row['iid']}$")),
        db_ms("Close it", "SELECT state = 'closed' FROM code_issues WHERE id = ?", row["id"])])


def _s409(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield from find_issue(obs, inst["project"], inst["title"])
    obs = yield from go(obs, "button", "Close issue")
    yield _stop()


_reg(409, "state", 'Close the issue "{{title}}" in {{project}}.', _i409, _b409, _s409)


# 410 --- state: comment on an issue
def _i410(db: Database, rng: random.Random) -> list[dict[str, Any]]:
    return [{"project": p, "title": t, "text": rng.choice(NOTES)} for p, t in issues_of(db, rng)]


def _b410(inst: dict[str, Any], db: Database) -> TaskSpec:
    row = issue_row(db, inst["project"], inst["title"])
    return TaskSpec(f"{C}/", html_eval(html_check(_issue_url(db, inst["project"], inst["title"]), [inst["text"]],
                                                  "#issue-comments")), [
        url_ms("Open the issue", _prx(inst["project"], f"/issues/{row['iid']}$")),
        db_ms("Add the comment", "SELECT COUNT(*) FROM code_comments WHERE issue_id = ? AND author_id = ? AND body = ?",
              row["id"], ME, inst["text"])])


def _s410(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield from find_issue(obs, inst["project"], inst["title"], "All")
    obs = yield type_into(obs, "textbox", "Comment", inst["text"])
    obs = yield from go(obs, "button", "Add comment")
    yield _stop()


_reg(410, "state", 'Comment "{{text}}" on the issue "{{title}}" in {{project}}.', _i410, _b410, _s410)


# 411/412/416 --- state: members and roles
def _candidates(db: Database, project: str) -> list[str]:
    return [r[0] for r in db.query("SELECT username FROM code_users WHERE id NOT IN (SELECT user_id FROM code_members"
                                   " WHERE project_id = ?) ORDER BY id", (_pid(db, project),))]


def _i411(db: Database, rng: random.Random) -> list[dict[str, Any]]:
    return [{"user": rng.choice(_candidates(db, p)), "project": p, "role": rng.choice(("Guest", "Reporter", "Developer",
                                                                                       "Maintainer"))}
            for p in _pick(rng, _projects(db, MANAGED))]


def _member_check(db: Database, project: str, user: str, role: str) -> dict[str, Any]:
    return html_check(f"{C}/{project}/members", [role], f"#role-of-{_uid(db, user)}")


MEMBER_SQL = ("SELECT COUNT(*) FROM code_members WHERE project_id = ? AND user_id = (SELECT id FROM code_users"
              " WHERE username = ?) AND role = ?")


def _b411(inst: dict[str, Any], db: Database) -> TaskSpec:
    p, u, r = inst["project"], inst["user"], inst["role"]
    return TaskSpec(f"{C}/", html_eval(_member_check(db, p, u, r)), [
        url_ms("Open the project's members", _prx(p, "/members")),
        db_ms(f"Add {u} as {r}", MEMBER_SQL, _pid(db, p), u, r)])


def _add_member(obs: Observation, user: str, role: str) -> Gen:
    obs = yield type_into(obs, "textbox", "Username", user)
    obs = yield select(obs, "combobox", "Role", role)
    obs = yield from go(obs, "button", "Add member")
    return obs


def _s411(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield from open_project(obs, inst["project"])
    obs = yield from go(obs, "link", "Members")
    yield from _add_member(obs, inst["user"], inst["role"])
    yield _stop()


_reg(411, "state", "Add {{user}} to the project {{project}} as a {{role}}.", _i411, _b411, _s411)


def _i412(db: Database, rng: random.Random) -> list[dict[str, Any]]:
    rows = db.query("SELECT p.namespace || '/' || p.name, u.username, m.role FROM code_members m JOIN code_projects p"
                    " ON p.id = m.project_id JOIN code_users u ON u.id = m.user_id WHERE m.role != 'Owner' AND"
                    f" m.user_id != 1 AND p.{MANAGED} ORDER BY p.id, u.id")
    picks = _pick(rng, [(r[0], r[1], r[2]) for r in rows])
    return [{"user": u, "project": p, "role": rng.choice([r for r in ("Guest", "Reporter", "Developer", "Maintainer")
                                                          if r != old])} for p, u, old in picks]


def _b412(inst: dict[str, Any], db: Database) -> TaskSpec:
    p, u, r = inst["project"], inst["user"], inst["role"]
    return TaskSpec(f"{C}/", html_eval(_member_check(db, p, u, r)), [
        url_ms("Open the project's members", _prx(p, "/members")),
        db_ms(f"Make {u} a {r}", MEMBER_SQL, _pid(db, p), u, r)])


def _s412(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield from open_project(obs, inst["project"])
    obs = yield from go(obs, "link", "Members")
    obs = yield select(obs, "combobox", f"Role of {inst['user']}", inst["role"])
    obs = yield from go(obs, "button", f"Update role of {inst['user']}")
    yield _stop()


_reg(412, "state", "Change the role of {{user}} in {{project}} to {{role}}.", _i412, _b412, _s412)


# 413/414 --- state: create and merge merge requests
def _i413(db: Database, rng: random.Random) -> list[dict[str, Any]]:
    rows = db.query("SELECT p.namespace || '/' || p.name, b.name FROM code_branches b JOIN code_projects p"
                    " ON p.id = b.project_id WHERE b.name != 'main' ORDER BY p.id, b.name")
    return [{"project": p, "branch": b, "title": rng.choice(MR_TITLES)}
            for p, b in _pick(rng, [(r[0], r[1]) for r in rows])]


def _b413(inst: dict[str, Any], db: Database) -> TaskSpec:
    url = f"{C}/{inst['project']}/merge_requests/{_next_iid(db, 'code_mrs', inst['project'])}"
    return TaskSpec(f"{C}/", html_eval(html_check(url, [inst["title"]], "#mr-title"),
                                       html_check(url, [inst["branch"] + " into main"], "#mr-branches")), [
        url_ms("Open the new merge request form", _prx(inst["project"], "/merge_requests/new")),
        db_ms("Create the merge request", "SELECT COUNT(*) FROM code_mrs WHERE project_id = ? AND source = ? AND"
              " target = 'main' AND title = ? AND state = 'opened'", _pid(db, inst["project"]), inst["branch"],
              inst["title"])])


def _s413(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield from open_project(obs, inst["project"])
    obs = yield from go(obs, "link", "Merge requests")
    obs = yield from go(obs, "link", "New merge request")
    obs = yield select(obs, "combobox", "Source branch", inst["branch"])
    obs = yield type_into(obs, "textbox", "Title", inst["title"])
    obs = yield from go(obs, "button", "Create merge request")
    yield _stop()


_reg(413, "state", 'Create a merge request in {{project}} from the branch {{branch}} into main titled "{{title}}".',
     _i413, _b413, _s413)


def _i414(db: Database, rng: random.Random) -> list[dict[str, Any]]:
    rows = db.query("SELECT p.namespace || '/' || p.name, m.title FROM code_mrs m JOIN code_projects p ON p.id ="
                    f" m.project_id WHERE m.state = 'opened' AND p.{MANAGED} ORDER BY m.id")
    return [{"project": p, "title": t} for p, t in _pick(rng, [(r[0], r[1]) for r in rows], 10)]


def _b414(inst: dict[str, Any], db: Database) -> TaskSpec:
    iid = db.scalar("SELECT iid FROM code_mrs WHERE project_id = ? AND title = ?", (_pid(db, inst["project"]),
                                                                                  inst["title"]))
    url = f"{C}/{inst['project']}/merge_requests/{iid}"
    return TaskSpec(f"{C}/", html_eval(html_check(url, ["Status: Merged"], "#mr-state")), [
        url_ms("Open the merge request", _prx(inst["project"], f"/merge_requests/{iid}$")),
        db_ms("Merge it", "SELECT state = 'merged' FROM code_mrs WHERE project_id = ? AND iid = ?",
              _pid(db, inst["project"]), iid)])


def _s414(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield from open_project(obs, inst["project"])
    obs = yield from go(obs, "link", "Merge requests")
    obs = yield from go(obs, "link", inst["title"])
    obs = yield from go(obs, "button", "Merge")
    yield _stop()


_reg(414, "state", 'Merge the merge request "{{title}}" in {{project}}.', _i414, _b414, _s414, test_only=True)

from mira.arena.tasks import _code_long  # noqa: E402,F401  (templates 415-418)
