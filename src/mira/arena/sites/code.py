"""The `code` site (as WebArena's GitLab): projects, files, commits, stars, members; issues and MRs in _code_pages."""

from __future__ import annotations

import random
from typing import Any

from mira.arena.db import Database
from mira.arena.sites import _code_data
from mira.arena.sites.forum import Invalid, clean_text, require_user
from mira.arena.web import HTTPError, Request, Response, Router, render

NAME = "code"
PREFIX = "/code"
TITLE = "Code"
DEFAULT_USER_ID = 1
"""The id of the account tasks start logged in as (DEFAULT_USERNAME)."""
DEFAULT_USERNAME = _code_data.DEFAULT_USERNAME
PASSWORD = "mira-code"
"""Every seeded account's password (the login page exists for people browsing the arena)."""
PAGE_SIZE = 20
ROLES = _code_data.ROLES
LABELS = _code_data.LABELS
MANAGERS = ("Maintainer", "Owner")
"""Roles that may manage members, merge and edit a project."""

SCHEMA = """
CREATE TABLE code_users (id INTEGER PRIMARY KEY, username TEXT UNIQUE NOT NULL, name TEXT NOT NULL,
  bio TEXT NOT NULL, joined TEXT NOT NULL);
CREATE TABLE code_projects (id INTEGER PRIMARY KEY, namespace TEXT NOT NULL, name TEXT NOT NULL,
  description TEXT NOT NULL, stars INTEGER NOT NULL, created TEXT NOT NULL, UNIQUE (namespace, name));
CREATE TABLE code_files (project_id INTEGER NOT NULL REFERENCES code_projects(id), path TEXT NOT NULL,
  content TEXT NOT NULL, PRIMARY KEY (project_id, path));
CREATE TABLE code_branches (project_id INTEGER NOT NULL, name TEXT NOT NULL, PRIMARY KEY (project_id, name));
CREATE TABLE code_commits (id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL REFERENCES code_projects(id),
  sha TEXT NOT NULL, author_id INTEGER NOT NULL REFERENCES code_users(id), message TEXT NOT NULL,
  created TEXT NOT NULL);
CREATE TABLE code_issues (id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL REFERENCES code_projects(id),
  iid INTEGER NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL, author_id INTEGER NOT NULL,
  assignee_id INTEGER, state TEXT NOT NULL, created TEXT NOT NULL, UNIQUE (project_id, iid));
CREATE TABLE code_issue_labels (issue_id INTEGER NOT NULL REFERENCES code_issues(id), label TEXT NOT NULL,
  PRIMARY KEY (issue_id, label));
CREATE TABLE code_comments (id INTEGER PRIMARY KEY, issue_id INTEGER NOT NULL REFERENCES code_issues(id),
  author_id INTEGER NOT NULL, body TEXT NOT NULL, created TEXT NOT NULL);
CREATE TABLE code_mrs (id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL REFERENCES code_projects(id),
  iid INTEGER NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL,
  author_id INTEGER NOT NULL, state TEXT NOT NULL, created TEXT NOT NULL, UNIQUE (project_id, iid));
CREATE TABLE code_members (project_id INTEGER NOT NULL, user_id INTEGER NOT NULL, role TEXT NOT NULL,
  PRIMARY KEY (project_id, user_id));
CREATE TABLE code_stars (user_id INTEGER NOT NULL, project_id INTEGER NOT NULL, PRIMARY KEY (user_id, project_id));
"""

router = Router()


def seed(db: Database, rng: random.Random) -> None:
    _code_data.seed(db, rng)


def load_user(db: Database, user_id: int) -> dict[str, Any] | None:
    row = db.one("SELECT id, username, name FROM code_users WHERE id = ?", (user_id,))
    return None if row is None else {"id": row["id"], "username": row["username"], "display": row["username"]}


def page(req: Request, template: str, status: int = 200, **ctx: Any) -> Response:
    resp = render(req, f"code/{template}", site_title=TITLE, **ctx)
    resp.status = status
    return resp


def paged(req: Request, sql: str, params: tuple[Any, ...]) -> tuple[list[Any], int, bool]:
    pg = req.int_arg("page", 1, lo=1)
    rows = req.db.query(f"{sql} LIMIT ? OFFSET ?", (*params, PAGE_SIZE + 1, (pg - 1) * PAGE_SIZE))
    return rows[:PAGE_SIZE], pg, len(rows) > PAGE_SIZE


def like(q: str) -> str:
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def project(req: Request) -> dict[str, Any]:
    """The project named by the route's ns/proj, with the current user's role in it ('' if none)."""
    row = req.db.one("SELECT * FROM code_projects WHERE namespace = ? AND name = ?",
                     (req.params["ns"], req.params["proj"]))
    if row is None:
        raise HTTPError(404, f"there is no project {req.params['ns'][:60]}/{req.params['proj'][:60]}")
    p = dict(row) | {"path": f"/{row['namespace']}/{row['name']}", "role": ""}
    if req.user:
        p["role"] = req.db.scalar("SELECT role FROM code_members WHERE project_id = ? AND user_id = ?",
                                  (p["id"], req.user["id"])) or ""
    return p


def require_manager(req: Request, p: dict[str, Any]) -> dict[str, Any]:
    user = require_user(req)
    if p["role"] not in MANAGERS:
        raise HTTPError(403, f"only a Maintainer or Owner of {p['namespace']}/{p['name']} may do this")
    return user


@router.route("/login", methods=("GET", "POST"))
def login(req: Request) -> Response:
    from mira.arena import app

    nxt = req.arg("next")
    nxt = nxt if nxt.startswith(PREFIX) else PREFIX + "/"
    if req.method == "GET":
        return page(req, "login.html", nxt=nxt, username="")
    user = req.db.one("SELECT id FROM code_users WHERE username = ?", (req.arg("username"),))
    if user is None or req.arg("password") != PASSWORD:
        return page(req, "login.html", 400, nxt=nxt, username=req.arg("username")[:100],
                    error="Unknown username or wrong password.")
    resp = Response.redirect(nxt)
    resp.set_cookie(app.session_cookie(NAME), app.login_session(req.db, NAME, user["id"]))
    return resp


@router.route("/logout")
def logout(req: Request) -> Response:
    resp = Response.redirect(req.url("/"))
    resp.set_cookie("mira_" + NAME, "")
    return resp


@router.route("/")
def projects(req: Request) -> Response:
    q = req.arg("q")[:200]
    sql = "SELECT * FROM code_projects"
    params: tuple[Any, ...] = ()
    if q:
        sql += " WHERE (namespace || '/' || name) LIKE ? ESCAPE '\\' OR description LIKE ? ESCAPE '\\'"
        params = (like(q), like(q))
    rows, pg, more = paged(req, sql + " ORDER BY namespace, name", params)
    return page(req, "projects.html", projects=rows, q=q, pg=pg, more=more)


@router.route("/users/<str:username>")
def user_page(req: Request) -> Response:
    u = req.db.one("SELECT * FROM code_users WHERE username = ?", (req.params["username"],))
    if u is None:
        raise HTTPError(404, f"there is no user named {req.params['username'][:60]!r}")
    member_of = req.db.query("SELECT p.namespace, p.name, m.role FROM code_members m JOIN code_projects p"
                             " ON p.id = m.project_id WHERE m.user_id = ? ORDER BY p.namespace, p.name", (u["id"],))
    starred = req.db.query("SELECT p.namespace, p.name FROM code_stars s JOIN code_projects p ON p.id = s.project_id"
                           " WHERE s.user_id = ? ORDER BY p.namespace, p.name", (u["id"],))
    n_issues = req.db.scalar("SELECT COUNT(*) FROM code_issues WHERE author_id = ?", (u["id"],))
    return page(req, "user.html", u=u, member_of=member_of, starred=starred, n_issues=n_issues)


@router.route("/<str:ns>/<str:proj>")
def project_page(req: Request) -> Response:
    p = project(req)
    files = req.db.query("SELECT path FROM code_files WHERE project_id = ? ORDER BY path", (p["id"],))
    last = req.db.one("SELECT c.*, u.username FROM code_commits c JOIN code_users u ON u.id = c.author_id"
                      " WHERE project_id = ? ORDER BY created DESC, c.id DESC LIMIT 1", (p["id"],))
    uid = req.user["id"] if req.user else 0
    starred = req.db.one("SELECT 1 FROM code_stars WHERE user_id = ? AND project_id = ?", (uid, p["id"])) is not None
    counts = {k: req.db.scalar(f"SELECT COUNT(*) FROM {t} WHERE project_id = ? AND state = 'opened'", (p["id"],))
              for k, t in (("issues", "code_issues"), ("mrs", "code_mrs"))}
    return page(req, "project.html", p=p, files=files, last=last, starred=starred, counts=counts)


@router.route("/<str:ns>/<str:proj>/star", methods=("POST",))
def star(req: Request) -> Response:
    user = require_user(req)
    p = project(req)
    had = req.db.one("SELECT 1 FROM code_stars WHERE user_id = ? AND project_id = ?", (user["id"], p["id"]))
    if had:
        req.db.execute("DELETE FROM code_stars WHERE user_id = ? AND project_id = ?", (user["id"], p["id"]))
    else:
        req.db.execute("INSERT INTO code_stars VALUES (?, ?)", (user["id"], p["id"]))
    req.db.execute("UPDATE code_projects SET stars = stars + ? WHERE id = ?", (-1 if had else 1, p["id"]))
    return Response.redirect(req.url(p["path"], msg="Unstarred." if had else "Starred."))


@router.route("/<str:ns>/<str:proj>/blob/<path:file>")
def blob(req: Request) -> Response:
    p = project(req)
    f = req.db.one("SELECT * FROM code_files WHERE project_id = ? AND path = ?", (p["id"], req.params["file"]))
    if f is None:
        raise HTTPError(404, f"there is no file {req.params['file'][:100]!r} in {p['namespace']}/{p['name']}")
    return page(req, "blob.html", p=p, f=f)


@router.route("/<str:ns>/<str:proj>/commits")
def commits(req: Request) -> Response:
    p = project(req)
    rows, pg, more = paged(req, "SELECT c.*, u.username FROM code_commits c JOIN code_users u ON u.id = c.author_id"
                           " WHERE project_id = ? ORDER BY created DESC, c.id DESC", (p["id"],))
    return page(req, "commits.html", p=p, commits=rows, pg=pg, more=more)


def _members(req: Request, p: dict[str, Any], status: int = 200, **ctx: Any) -> Response:
    rows = req.db.query("SELECT u.id, u.username, u.name, m.role FROM code_members m JOIN code_users u ON u.id = m.user_id"
                        " WHERE m.project_id = ? ORDER BY u.username", (p["id"],))
    ctx.setdefault("new_username", "")
    return page(req, "members.html", status, p=p, members=rows, roles=ROLES, **ctx)


@router.route("/<str:ns>/<str:proj>/members", methods=("GET", "POST"))
def members(req: Request) -> Response:
    p = project(req)
    if req.method == "GET":
        return _members(req, p)
    require_manager(req, p)
    username, role = req.arg("username")[:100], req.arg("role")
    u = req.db.one("SELECT id FROM code_users WHERE username = ?", (username,))
    error = ""
    if not username:
        error = "Username must not be empty."
    elif u is None:
        error = f"There is no user named {username!r}."
    elif role not in ROLES[:4]:
        error = f"Role must be one of {', '.join(ROLES[:4])}."
    elif req.db.one("SELECT 1 FROM code_members WHERE project_id = ? AND user_id = ?", (p["id"], u["id"])):
        error = f"{username} is already a member; change their role in the table instead."
    if error:
        return _members(req, p, 400, error=error, new_username=username)
    req.db.execute("INSERT INTO code_members VALUES (?, ?, ?)", (p["id"], u["id"], role))  # type: ignore[index]
    return Response.redirect(req.url(p["path"] + "/members", msg=f"Added {username} as {role}."))


@router.route("/<str:ns>/<str:proj>/members/<str:username>", methods=("POST",))
def member(req: Request) -> Response:
    p = project(req)
    require_manager(req, p)
    u = req.db.one("SELECT u.id, m.role FROM code_users u JOIN code_members m ON m.user_id = u.id"
                   " AND m.project_id = ? WHERE u.username = ?", (p["id"], req.params["username"]))
    if u is None:
        raise HTTPError(404, f"{req.params['username'][:60]!r} is not a member of this project")
    if u["role"] == "Owner":
        return _members(req, p, 400, error="The owner's role cannot be changed here.")
    if req.arg("action") == "remove":
        req.db.execute("DELETE FROM code_members WHERE project_id = ? AND user_id = ?", (p["id"], u["id"]))
        msg = f"Removed {req.params['username']}."
    else:
        role = req.arg("role")
        if role not in ROLES[:4]:
            return _members(req, p, 400, error=f"Role must be one of {', '.join(ROLES[:4])}.")
        req.db.execute("UPDATE code_members SET role = ? WHERE project_id = ? AND user_id = ?", (role, p["id"], u["id"]))
        msg = f"{req.params['username']} is now {role}."
    return Response.redirect(req.url(p["path"] + "/members", msg=msg))


__all__ = ["Invalid", "clean_text"]

from mira.arena.sites import _code_pages  # noqa: E402,F401  (issue and MR pages register on `router`)
