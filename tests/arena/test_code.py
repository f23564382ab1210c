"""The code site: seeded data, pages, issues, merge requests, members, stars, and a table of bad inputs."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator

import pytest
from arena_http import Client

from mira.arena.db import Database, _connect
from mira.arena.server import ArenaServer
from mira.arena.sites import code

ME = code.DEFAULT_USER_ID
MANAGED = "a11yproject/a11yproject.com"  # byteblaze maintains odd-numbered projects
FOREIGN = "a11yproject/checklist"  # ... and is not a member of this one


@pytest.fixture(scope="module")
def srv() -> Iterator[ArenaServer]:
    with ArenaServer() as s:
        yield s


@pytest.fixture()
def me(srv: ArenaServer) -> Client:
    srv.reset()
    return Client(srv, "code", ME)


def _seeded(seed: int) -> Database:
    db = Database(_connect())
    db.conn.executescript(code.SCHEMA)
    code.seed(db, random.Random(seed))
    return db


def test_seed_is_deterministic_big_and_fast() -> None:
    t = time.process_time()
    a = _seeded(3)
    elapsed = time.process_time() - t
    b, c = _seeded(3), _seeded(4)
    dump = lambda db: [tuple(r) for r in db.query("SELECT * FROM code_issues")]  # noqa: E731
    assert dump(a) == dump(b) and dump(a) != dump(c)
    assert a.scalar("SELECT COUNT(*) FROM code_projects") == 30
    assert len({r[0] for r in a.query("SELECT namespace FROM code_projects")}) >= 8
    assert a.scalar("SELECT COUNT(*) FROM code_issues") > 300
    assert a.scalar("SELECT COUNT(*) FROM code_commits") > 300
    assert a.scalar("SELECT COUNT(*) FROM code_mrs") > 40
    assert a.scalar("SELECT role FROM code_members m JOIN code_projects p ON p.id = m.project_id WHERE m.user_id = 1"
                    " AND p.namespace || '/' || p.name = ?", (MANAGED,)) == "Maintainer"
    assert elapsed < 0.5, f"code seeding took {elapsed:.2f}s of CPU"


PAGES = ["/code/", "/code/?page=2", "/code/?q=a11y", "/code/users/byteblaze", f"/code/{MANAGED}",
         f"/code/{MANAGED}/blob/README.md", f"/code/{MANAGED}/commits?page=2", f"/code/{MANAGED}/issues",
         f"/code/{MANAGED}/issues?state=closed&label=bug", f"/code/{MANAGED}/issues?state=all&q=the",
         f"/code/{MANAGED}/issues/1", f"/code/{MANAGED}/issues/1/edit", f"/code/{MANAGED}/issues/new",
         f"/code/{MANAGED}/merge_requests?state=all", f"/code/{MANAGED}/merge_requests/1",
         f"/code/{MANAGED}/merge_requests/new", f"/code/{MANAGED}/members", "/code/login"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_render(me: Client, path: str) -> None:
    r = me.get(path)
    assert r.status == 200, r.body[:500]
    assert "<h1" in r.body


def test_projects_list_pages_and_searches(me: Client) -> None:
    first = me.get("/code/").body
    assert ">Next<" in first and first.count("<tr>") == 21  # header + a page of 20
    assert ">Previous<" in me.get("/code/?page=2").body
    found = me.get("/code/?q=checklist").body
    assert "a11yproject / checklist" in found and "primer / octicons" not in found


def test_issue_lifecycle(me: Client, srv: ArenaServer) -> None:
    assignee = srv.db.scalar("SELECT u.username FROM code_members m JOIN code_users u ON u.id = m.user_id JOIN"
                             " code_projects p ON p.id = m.project_id WHERE p.name = 'a11yproject.com' LIMIT 1")
    r = me.post(f"/code/{MANAGED}/issues/new", {"title": "Robert'); DROP TABLE code_issues;--", "body": "d",
                                                "label-bug": "1", "label-good first issue": "1", "assignee": assignee})
    assert r.status == 303
    url = r.location.split("?")[0]
    page = me.get(url).body
    assert "Robert&#39;); DROP TABLE code_issues;--" in page
    assert "Labels: bug, good first issue" in page and f"Assignee: {assignee}" in page
    assert me.post(url + "/comment", {"body": "On it"}).status == 303
    assert me.post(url + "/state", {"action": "close"}).status == 303
    page = me.get(url).body
    assert "Status: Closed" in page and "On it" in page and "Reopen issue" in page
    assert me.post(url + "/edit", {"label-security": "1", "assignee": ""}).status == 303
    page = me.get(url).body
    assert "Labels: security" in page and "Assignee: none" in page


def test_members_stars_and_merge_requests(me: Client, srv: ArenaServer) -> None:
    user = srv.db.scalar("SELECT username FROM code_users WHERE id NOT IN (SELECT user_id FROM code_members m JOIN"
                         " code_projects p ON p.id = m.project_id WHERE p.name = 'a11yproject.com') LIMIT 1")
    uid = srv.db.scalar("SELECT id FROM code_users WHERE username = ?", (user,))
    assert me.post(f"/code/{MANAGED}/members", {"username": user, "role": "Developer"}).status == 303
    assert f'id="role-of-{uid}">Developer<' in me.get(f"/code/{MANAGED}/members").body
    assert me.post(f"/code/{MANAGED}/members/{user}", {"role": "Reporter"}).status == 303
    assert f'id="role-of-{uid}">Reporter<' in me.get(f"/code/{MANAGED}/members").body
    assert me.post(f"/code/{MANAGED}/members/{user}", {"action": "remove"}).status == 303
    assert f'id="role-of-{uid}"' not in me.get(f"/code/{MANAGED}/members").body

    stars = srv.db.scalar("SELECT stars FROM code_projects WHERE name = 'checklist'")
    me.post(f"/code/{FOREIGN}/star", {})
    starred = me.get(f"/code/{FOREIGN}").body
    assert f"Stars: {stars + 1}" in starred or f"Stars: {stars - 1}" in starred
    me.post(f"/code/{FOREIGN}/star", {})
    assert f"Stars: {stars}" in me.get(f"/code/{FOREIGN}").body

    branch = srv.db.scalar("SELECT b.name FROM code_branches b JOIN code_projects p ON p.id = b.project_id WHERE"
                           " p.name = 'a11yproject.com' AND b.name != 'main' LIMIT 1")
    r = me.post(f"/code/{MANAGED}/merge_requests/new", {"source": branch, "target": "main", "title": "Ship it"})
    assert r.status == 303
    url = r.location.split("?")[0]
    assert f"wants to merge {branch} into main" in me.get(url).body
    assert me.post(url + "/state", {"action": "merge"}).status == 303
    assert "Status: Merged" in me.get(url).body
    assert me.post(url + "/state", {"action": "close"}).status == 400


def test_non_managers_cannot_manage(me: Client, srv: ArenaServer) -> None:
    assert me.post(f"/code/{FOREIGN}/members", {"username": "vinta", "role": "Guest"}).status == 403
    assert "Add member" not in me.get(f"/code/{FOREIGN}/members").body


BAD = [
    ("GET", "/code/nobody/nothing", None, 404, "no project nobody/nothing"),
    ("GET", f"/code/{MANAGED}/issues/99999", None, 404, "no issue #99999"),
    ("GET", f"/code/{MANAGED}/issues/abc", None, 400, "numbered"),
    ("GET", f"/code/{MANAGED}/merge_requests/x", None, 400, "numbered"),
    ("GET", f"/code/{MANAGED}/merge_requests/999", None, 404, "no merge request"),
    ("GET", f"/code/{MANAGED}/blob/nope.txt", None, 404, "no file"),
    ("GET", f"/code/{MANAGED}/issues?state=weird", None, 400, "state must be one of"),
    ("GET", f"/code/{MANAGED}/issues?label=%3Cscript%3E", None, 400, "label must be one of"),
    ("GET", f"/code/{MANAGED}/commits?page=1x", None, 400, "page must be a whole number"),
    ("GET", "/code/users/ghost", None, 404, "no user named"),
    ("GET", "/code/?q=%27%22%25_", None, 200, "No projects match"),
    ("POST", f"/code/{MANAGED}/issues/new", {"title": ""}, 400, "Title must not be empty"),
    ("POST", f"/code/{MANAGED}/issues/new", {"title": "<b>x</b>"}, 400, "plain text"),
    ("POST", f"/code/{MANAGED}/issues/new", {"title": "t" * 300}, 400, "too long"),
    ("POST", f"/code/{MANAGED}/issues/new", {"title": "t", "assignee": "vinta'--"}, 400, "member of the project"),
    ("POST", f"/code/{MANAGED}/issues/1/comment", {"body": " "}, 400, "Comment must not be empty"),
    ("POST", f"/code/{MANAGED}/issues/1/state", {"action": "explode"}, 400, "close or reopen"),
    ("POST", f"/code/{MANAGED}/members", {"username": "", "role": "Guest"}, 400, "Username must not be empty"),
    ("POST", f"/code/{MANAGED}/members", {"username": "ghost", "role": "Guest"}, 400, "no user named"),
    ("POST", f"/code/{MANAGED}/members", {"username": "vinta", "role": "Owner"}, 400, "Role must be one of"),
    ("POST", f"/code/{MANAGED}/members", {"username": "byteblaze", "role": "Guest"}, 400, "already a member"),
    ("POST", f"/code/{MANAGED}/members/ghost", {"role": "Guest"}, 404, "not a member"),
    ("POST", f"/code/{MANAGED}/merge_requests/new", {"source": "main", "target": "main", "title": "t"}, 400,
     "must differ"),
    ("POST", f"/code/{MANAGED}/merge_requests/new", {"source": "nope", "target": "main", "title": "t"}, 400,
     "Choose a source"),
    ("POST", f"/code/{MANAGED}/merge_requests/1/state", {"action": "rebase"}, 400, "merge, close or reopen"),
]


@pytest.mark.parametrize(("method", "path", "form", "status", "message"), BAD)
def test_bad_input_gets_a_clear_error(me: Client, method: str, path: str, form: dict[str, str] | None, status: int,
                                      message: str) -> None:
    r = me.request(method, path, form)
    assert r.status == status, r.body[:400]
    assert message.lower() in r.body.lower().replace("&#39;", "'")
    assert "<script>" not in r.body and "<b>x</b>" not in r.body
