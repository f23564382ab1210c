"""Code-host task templates 415-418: long multi-step tasks, and the smaller info/edit tasks."""

from __future__ import annotations

import random
from typing import Any

from mira.arena.db import Database
from mira.arena.oracle import click, read, select, type_into
from mira.arena.sites._code_data import LABELS
from mira.arena.tasks import TaskSpec
from mira.arena.tasks._code_more import (
    MANAGED,
    MEMBER_SQL,
    NEW_ISSUE_SQL,
    NOTES,
    _add_member,
    _candidates,
    _create_issue,
    _issue_url,
    _member_check,
    _members,
    _new_issue_checks,
    _new_issue_inst,
)
from mira.arena.tasks._fc import Gen, answer_ms, db_ms, go, go_type, html_check, html_eval, string_eval, url_ms
from mira.arena.tasks.code import (
    ME,
    C,
    _i400,
    _pick,
    _pid,
    _projects,
    _prx,
    _reg,
    _stop,
    find_issue,
    issue_row,
    open_project,
)
from mira.types import Observation

ROLES4 = ("Guest", "Reporter", "Developer", "Maintainer")


# 415 --- state, long: create a labelled, assigned issue, comment on it, and close another issue
def _i415(db: Database, rng: random.Random) -> list[dict[str, Any]]:
    out = []
    for p in _pick(rng, _projects(db, "(SELECT COUNT(*) FROM code_issues i WHERE i.project_id = p.id AND"
                                      " i.state = 'opened') > 0")):
        other = rng.choice([r[0] for r in db.query("SELECT title FROM code_issues WHERE project_id = ? AND"
                                                   " state = 'opened' ORDER BY id", (_pid(db, p),))])
        out.append(_new_issue_inst(db, rng, p) | {"text": rng.choice(NOTES), "other": other})
    return out


def _b415(inst: dict[str, Any], db: Database) -> TaskSpec:
    url, checks = _new_issue_checks(inst, db)
    pid = _pid(db, inst["project"])
    other = issue_row(db, inst["project"], inst["other"])
    checks += [html_check(url, [inst["text"]], "#issue-comments"),
               html_check(_issue_url(db, inst["project"], inst["other"]), ["Status: Closed"], "#issue-state")]
    return TaskSpec(f"{C}/", html_eval(*checks), [
        db_ms("Create the issue with its labels and assignee", NEW_ISSUE_SQL, pid, inst["title"], inst["assignee"],
              inst["label1"], inst["label2"]),
        db_ms("Comment on the new issue", "SELECT COUNT(*) FROM code_comments c JOIN code_issues i ON i.id = c.issue_id"
              " WHERE i.project_id = ? AND i.title = ? AND c.author_id = ? AND c.body = ?", pid, inst["title"], ME,
              inst["text"]),
        url_ms(f"Open the issue {inst['other']}", _prx(inst["project"], f"/issues/{other['iid']}$")),
        db_ms("Close it", "SELECT state = 'closed' FROM code_issues WHERE id = ?", other["id"])])


def _s415(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield from _create_issue(inst, obs)
    obs = yield type_into(obs, "textbox", "Comment", inst["text"])
    obs = yield from go(obs, "button", "Add comment")
    obs = yield from go(obs, "link", "Issues")
    obs = yield from go_type(obs, "textbox", "Search issues", inst["other"])
    obs = yield from go(obs, "link", inst["other"])
    obs = yield from go(obs, "button", "Close issue")
    yield _stop()


_reg(415, "state", 'In {{project}}, open an issue titled "{{title}}" with the labels {{label1}} and {{label2}},'
     ' assigned to {{assignee}}, comment "{{text}}" on it, and close the issue "{{other}}".', _i415, _b415, _s415)


# 416 --- state, long: add three members with roles
def _i416(db: Database, rng: random.Random) -> list[dict[str, Any]]:
    out = []
    for p in _pick(rng, _projects(db, MANAGED)):
        users = rng.sample(_candidates(db, p), 3)
        out.append({"project": p} | {f"user{k}": u for k, u in enumerate(users, 1)}
                   | {f"role{k}": rng.choice(ROLES4) for k in (1, 2, 3)})
    return out


def _b416(inst: dict[str, Any], db: Database) -> TaskSpec:
    p, pid = inst["project"], _pid(db, inst["project"])
    pairs = [(inst[f"user{k}"], inst[f"role{k}"]) for k in (1, 2, 3)]
    return TaskSpec(f"{C}/", html_eval(*[_member_check(db, p, u, r) for u, r in pairs]), [
        url_ms("Open the project's members", _prx(p, "/members")),
        *[db_ms(f"Add {u} as {r}", MEMBER_SQL, pid, u, r) for u, r in pairs]])


def _s416(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield from open_project(obs, inst["project"])
    obs = yield from go(obs, "link", "Members")
    for k in (1, 2, 3):
        obs = yield from _add_member(obs, inst[f"user{k}"], inst[f"role{k}"])
    yield _stop()


_reg(416, "state", "Add {{user1}} as {{role1}}, {{user2}} as {{role2}} and {{user3}} as {{role3}} to the project"
     " {{project}}.", _i416, _b416, _s416)


# 417 --- info: open merge requests of a project
def _b417(inst: dict[str, Any], db: Database) -> TaskSpec:
    n = db.scalar("SELECT COUNT(*) FROM code_mrs WHERE project_id = ? AND state = 'opened'", (_pid(db, inst["project"]),))
    return TaskSpec(f"{C}/", string_eval(n), [
        url_ms("Open the project", _prx(inst["project"], "($|/)")), answer_ms("Answer with the count")])


def _s417(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield from open_project(obs, inst["project"])
    yield _stop(read(obs, r"Open merge requests: (\d+)"))


_reg(417, "info", "How many open merge requests does {{project}} have?", _i400, _b417, _s417)


# 418 --- state: label and assign an existing issue
def _i418(db: Database, rng: random.Random) -> list[dict[str, Any]]:
    rows = db.query("SELECT p.namespace || '/' || p.name, i.title, i.id FROM code_issues i JOIN code_projects p"
                    " ON p.id = i.project_id WHERE i.assignee_id IS NULL ORDER BY i.id")
    out = []
    for p, title, iid in _pick(rng, [(r[0], r[1], r[2]) for r in rows]):
        have = {r[0] for r in db.query("SELECT label FROM code_issue_labels WHERE issue_id = ?", (iid,))}
        out.append({"project": p, "title": title, "label": rng.choice([lb for lb in LABELS if lb not in have]),
                    "assignee": rng.choice(_members(db, p))})
    return out


def _b418(inst: dict[str, Any], db: Database) -> TaskSpec:
    row = issue_row(db, inst["project"], inst["title"])
    url = _issue_url(db, inst["project"], inst["title"])
    return TaskSpec(f"{C}/", html_eval(html_check(url, [inst["label"]], "#issue-labels"),
                                       html_check(url, [inst["assignee"]], "#issue-assignee")), [
        url_ms("Open the issue", _prx(inst["project"], f"/issues/{row['iid']}$")),
        url_ms("Open its label and assignee form", _prx(inst["project"], f"/issues/{row['iid']}/edit")),
        db_ms("Save the label and the assignee", "SELECT EXISTS(SELECT 1 FROM code_issue_labels WHERE issue_id = ? AND"
              " label = ?) AND (SELECT assignee_id FROM code_issues WHERE id = ?) = (SELECT id FROM code_users WHERE"
              " username = ?)", row["id"], inst["label"], row["id"], inst["assignee"])])


def _s418(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield from find_issue(obs, inst["project"], inst["title"], "All")
    obs = yield from go(obs, "link", "Edit labels and assignee")
    obs = yield click(obs, "checkbox", inst["label"])
    obs = yield select(obs, "combobox", "Assignee", inst["assignee"])
    obs = yield from go(obs, "button", "Save changes")
    yield _stop()


_reg(418, "state", 'Add the label {{label}} to the issue "{{title}}" in {{project}} and assign it to {{assignee}}.',
     _i418, _b418, _s418)


# 419 --- state, longest: two new members, an issue assigned to one of them, and two issues closed
def _i419(db: Database, rng: random.Random) -> list[dict[str, Any]]:
    out = []
    for p in _pick(rng, _projects(db, MANAGED + " AND (SELECT COUNT(*) FROM code_issues i WHERE i.project_id = p.id"
                                  " AND i.state = 'opened') >= 2")):
        u1, u2 = rng.sample(_candidates(db, p), 2)
        o1, o2 = rng.sample([r[0] for r in db.query("SELECT title FROM code_issues WHERE project_id = ? AND state ="
                                                   " 'opened' ORDER BY id", (_pid(db, p),))], 2)
        out.append(_new_issue_inst(db, rng, p) | {"assignee": u1, "user1": u1, "role1": rng.choice(ROLES4[2:]),
                                                  "user2": u2, "role2": rng.choice(ROLES4), "other1": o1, "other2": o2})
    return out


def _b419(inst: dict[str, Any], db: Database) -> TaskSpec:
    p, pid = inst["project"], _pid(db, inst["project"])
    _, checks = _new_issue_checks(inst, db)
    checks += [_member_check(db, p, inst[f"user{k}"], inst[f"role{k}"]) for k in (1, 2)]
    others = [issue_row(db, p, inst[f"other{k}"]) for k in (1, 2)]
    checks += [html_check(_issue_url(db, p, inst[f"other{k}"]), ["Status: Closed"], "#issue-state") for k in (1, 2)]
    return TaskSpec(f"{C}/", html_eval(*checks), [
        *[db_ms(f"Add {inst[f'user{k}']} as {inst[f'role{k}']}", MEMBER_SQL, pid, inst[f"user{k}"], inst[f"role{k}"])
          for k in (1, 2)],
        db_ms("Create the issue with its labels and assignee", NEW_ISSUE_SQL, pid, inst["title"], inst["assignee"],
              inst["label1"], inst["label2"]),
        db_ms("Close both issues", "SELECT COUNT(*) = 2 FROM code_issues WHERE id IN (?, ?) AND state = 'closed'",
              others[0]["id"], others[1]["id"])])


def _s419(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield from open_project(obs, inst["project"])
    obs = yield from go(obs, "link", "Members")
    for k in (1, 2):
        obs = yield from _add_member(obs, inst[f"user{k}"], inst[f"role{k}"])
    obs = yield from go(obs, "link", "Issues")
    obs = yield from go(obs, "link", "New issue")
    obs = yield type_into(obs, "textbox", "Title", inst["title"])
    obs = yield click(obs, "checkbox", inst["label1"])
    obs = yield click(obs, "checkbox", inst["label2"])
    obs = yield select(obs, "combobox", "Assignee", inst["assignee"])
    obs = yield from go(obs, "button", "Create issue")
    for k in (1, 2):
        obs = yield from go(obs, "link", "Issues")
        obs = yield from go_type(obs, "textbox", "Search issues", inst[f"other{k}"])
        obs = yield from go(obs, "link", inst[f"other{k}"])
        obs = yield from go(obs, "button", "Close issue")
    yield _stop()


_reg(419, "state", "In {{project}}: add {{user1}} as {{role1}} and {{user2}} as {{role2}}, open an issue titled"
     ' "{{title}}" with the labels {{label1}} and {{label2}} assigned to {{user1}}, and close the issues "{{other1}}"'
     ' and "{{other2}}".', _i419, _b419, _s419)
