"""The `forum` site (as WebArena's Postmill): forums, posts sorted hot/new/top, comments, votes, subscriptions."""

from __future__ import annotations

import random
import re
from typing import Any
from urllib.parse import urlencode

from mira.arena.db import NOW, Database
from mira.arena.sites import _forum_data
from mira.arena.web import HTTPError, Request, Response, Router, render

NAME = "forum"
PREFIX = "/forum"
TITLE = "Forum"
DEFAULT_USER_ID = 1
"""The id of the account tasks start logged in as (DEFAULT_USERNAME)."""
DEFAULT_USERNAME = _forum_data.DEFAULT_USERNAME
PASSWORD = "mira-forum"
"""Every seeded account's password (the login page exists for people browsing the arena)."""
PAGE_SIZE = 20

SCHEMA = """
CREATE TABLE forum_users (id INTEGER PRIMARY KEY, username TEXT UNIQUE NOT NULL, joined TEXT NOT NULL);
CREATE TABLE forum_forums (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, description TEXT NOT NULL);
CREATE TABLE forum_posts (id INTEGER PRIMARY KEY, forum_id INTEGER NOT NULL REFERENCES forum_forums(id),
  user_id INTEGER NOT NULL REFERENCES forum_users(id), title TEXT NOT NULL, body TEXT NOT NULL,
  created TEXT NOT NULL, score INTEGER NOT NULL DEFAULT 0, deleted INTEGER NOT NULL DEFAULT 0);
CREATE INDEX forum_posts_forum ON forum_posts(forum_id);
CREATE TABLE forum_comments (id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL REFERENCES forum_posts(id),
  parent_id INTEGER REFERENCES forum_comments(id), user_id INTEGER NOT NULL REFERENCES forum_users(id),
  body TEXT NOT NULL, created TEXT NOT NULL, score INTEGER NOT NULL DEFAULT 0);
CREATE INDEX forum_comments_post ON forum_comments(post_id);
CREATE TABLE forum_votes (user_id INTEGER NOT NULL, target TEXT NOT NULL, target_id INTEGER NOT NULL,
  value INTEGER NOT NULL, PRIMARY KEY (user_id, target, target_id));
CREATE TABLE forum_subscriptions (user_id INTEGER NOT NULL, forum_id INTEGER NOT NULL,
  PRIMARY KEY (user_id, forum_id));
"""

SORTS = {
    "hot": f"p.score - (julianday('{NOW}') - julianday(p.created)) * 2 DESC, p.id DESC",
    "new": "p.created DESC, p.id DESC",
    "top": "p.score DESC, p.id DESC",
}
"""Orders of a forum's listing; 'hot' lets votes decay with age, as Postmill's."""

router = Router()


def seed(db: Database, rng: random.Random) -> None:
    _forum_data.seed(db, rng)


def load_user(db: Database, user_id: int) -> dict[str, Any] | None:
    row = db.one("SELECT id, username FROM forum_users WHERE id = ?", (user_id,))
    return None if row is None else {"id": row["id"], "username": row["username"], "display": row["username"]}


def require_user(req: Request) -> dict[str, Any]:
    from mira.arena import app  # app imports the sites registry: import at call time

    return app.require_user(req)


def _login(req: Request, user_id: int) -> Response:
    from mira.arena import app

    resp = Response.redirect(req.arg("next") or req.url("/"))
    resp.set_cookie(app.session_cookie(NAME), app.login_session(req.db, NAME, user_id))
    return resp


class Invalid(ValueError):
    """A form field that a real site would refuse; the message is shown on the form."""


_TAG = re.compile(r"<\s*[a-zA-Z/!?]")
_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def clean_text(value: str, label: str, max_len: int) -> str:
    """A stripped text field, or Invalid saying why it cannot be accepted."""
    value = value.strip()
    if not value:
        raise Invalid(f"{label} must not be empty.")
    if len(value) > max_len:
        raise Invalid(f"{label} is too long ({len(value)} characters; at most {max_len}).")
    if _TAG.search(value) or _CTRL.search(value):
        raise Invalid(f"{label} must be plain text (no HTML tags or control characters).")
    return value


def page(req: Request, template: str, status: int = 200, **ctx: Any) -> Response:
    resp = render(req, f"forum/{template}", site_title=TITLE, **ctx)
    resp.status = status
    return resp


def _forum(req: Request, name: str) -> Any:
    row = req.db.one("SELECT * FROM forum_forums WHERE name = ?", (name,))
    if row is None:
        raise HTTPError(404, f"there is no forum named {name[:60]!r}")
    return row


def _post(req: Request, forum: str, pid: int) -> Any:
    row = req.db.one(
        "SELECT p.*, u.username, f.name AS forum FROM forum_posts p JOIN forum_users u ON u.id = p.user_id"
        " JOIN forum_forums f ON f.id = p.forum_id WHERE p.id = ?", (pid,))
    if row is None or row["forum"] != forum:
        raise HTTPError(404, f"there is no post {pid} in forum {forum[:60]!r}")
    return row


POST_COLS = ("SELECT p.id, p.title, p.score, p.created, p.deleted, u.username, f.name AS forum,"
             " (SELECT COUNT(*) FROM forum_comments c WHERE c.post_id = p.id) AS n_comments"
             " FROM forum_posts p JOIN forum_users u ON u.id = p.user_id JOIN forum_forums f ON f.id = p.forum_id")


def _paged(req: Request, sql: str, params: tuple[Any, ...]) -> tuple[list[Any], int, bool]:
    pg = req.int_arg("page", 1, lo=1)
    rows = req.db.query(f"{sql} LIMIT ? OFFSET ?", (*params, PAGE_SIZE + 1, (pg - 1) * PAGE_SIZE))
    return rows[:PAGE_SIZE], pg, len(rows) > PAGE_SIZE


@router.route("/login", methods=("GET", "POST"))
def login(req: Request) -> Response:
    nxt = req.arg("next") or PREFIX + "/"
    if not nxt.startswith(PREFIX):
        nxt = PREFIX + "/"
    if req.method == "GET":
        return page(req, "login.html", nxt=nxt, username="")
    user = req.db.one("SELECT id FROM forum_users WHERE username = ?", (req.arg("username"),))
    if user is None or req.arg("password") != PASSWORD:
        return page(req, "login.html", 400, nxt=nxt, username=req.arg("username")[:100],
                    error="Unknown username or wrong password.")
    req.form["next"] = nxt
    return _login(req, user["id"])


@router.route("/logout")
def logout(req: Request) -> Response:
    resp = Response.redirect(req.url("/"))
    resp.set_cookie("mira_" + NAME, "")
    return resp


@router.route("/")
def forums(req: Request) -> Response:
    uid = req.user["id"] if req.user else 0
    rows = req.db.query(
        "SELECT f.*, (SELECT COUNT(*) FROM forum_posts p WHERE p.forum_id = f.id AND NOT p.deleted) AS n_posts,"
        " (SELECT COUNT(*) FROM forum_subscriptions s WHERE s.forum_id = f.id) AS n_subs,"
        " EXISTS(SELECT 1 FROM forum_subscriptions s WHERE s.forum_id = f.id AND s.user_id = ?) AS mine"
        " FROM forum_forums f ORDER BY f.name COLLATE NOCASE", (uid,))
    return page(req, "forums.html", forums=rows)


@router.route("/f/<str:name>")
def forum_page(req: Request) -> Response:
    f = _forum(req, req.params["name"])
    sort = req.arg("sort") or "hot"
    if sort not in SORTS:
        raise HTTPError(400, f"sort must be one of {', '.join(SORTS)}, got {sort[:40]!r}")
    posts, pg, more = _paged(req, f"{POST_COLS} WHERE p.forum_id = ? AND NOT p.deleted ORDER BY {SORTS[sort]}",
                             (f["id"],))
    uid = req.user["id"] if req.user else 0
    subscribed = req.db.one("SELECT 1 FROM forum_subscriptions WHERE user_id = ? AND forum_id = ?",
                            (uid, f["id"])) is not None
    return page(req, "forum.html", forum=f, posts=posts, sort=sort, pg=pg, more=more, subscribed=subscribed,
                n_subs=req.db.scalar("SELECT COUNT(*) FROM forum_subscriptions WHERE forum_id = ?", (f["id"],)))


@router.route("/f/<str:name>/subscribe", methods=("POST",))
def subscribe(req: Request) -> Response:
    user = require_user(req)
    f = _forum(req, req.params["name"])
    if req.arg("action") == "unsubscribe":
        req.db.execute("DELETE FROM forum_subscriptions WHERE user_id = ? AND forum_id = ?", (user["id"], f["id"]))
        msg = f"Unsubscribed from {f['name']}."
    else:
        req.db.execute("INSERT OR IGNORE INTO forum_subscriptions VALUES (?, ?)", (user["id"], f["id"]))
        msg = f"Subscribed to {f['name']}."
    return Response.redirect(req.url(f"/f/{f['name']}", msg=msg))


def _comments(req: Request, pid: int) -> list[dict[str, Any]]:
    uid = req.user["id"] if req.user else 0
    rows = req.db.query(
        "SELECT c.*, u.username, (SELECT value FROM forum_votes v WHERE v.user_id = ? AND v.target = 'comment'"
        " AND v.target_id = c.id) AS my_vote FROM forum_comments c JOIN forum_users u ON u.id = c.user_id"
        " WHERE c.post_id = ? ORDER BY c.created, c.id", (uid, pid))
    tops: list[dict[str, Any]] = []
    by_id: dict[int, dict[str, Any]] = {}
    for r in rows:
        c = dict(r) | {"replies": []}
        by_id[c["id"]] = c
        parent = by_id.get(c["parent_id"]) if c["parent_id"] else None
        (parent["replies"] if parent else tops).append(c)
    return tops


def _post_page(req: Request, post: Any, status: int = 200, **ctx: Any) -> Response:
    my_vote = 0
    if req.user:
        my_vote = req.db.scalar("SELECT value FROM forum_votes WHERE user_id = ? AND target = 'post' AND"
                                " target_id = ?", (req.user["id"], post["id"])) or 0
    n = req.db.scalar("SELECT COUNT(*) FROM forum_comments WHERE post_id = ?", (post["id"],))
    ctx.setdefault("draft", "")
    return page(req, "post.html", status, post=post, comments=_comments(req, post["id"]), n_comments=n,
                my_vote=my_vote, **ctx)


@router.route("/f/<str:name>/<int:pid>")
def post_page(req: Request) -> Response:
    return _post_page(req, _post(req, req.params["name"], req.params["pid"]))


@router.route("/f/<str:name>/<str:bad>")
def bad_post_id(req: Request) -> Response:
    raise HTTPError(400, f"a post id must be a whole number, got {req.params['bad'][:40]!r}")


@router.route("/f/<str:name>/<int:pid>/comment", methods=("POST",))
def comment(req: Request) -> Response:
    user = require_user(req)
    post = _post(req, req.params["name"], req.params["pid"])
    if post["deleted"]:
        raise HTTPError(403, "this post was deleted; it takes no new comments")
    try:
        body = clean_text(req.arg("body"), "Comment", 5000)
    except Invalid as e:
        return _post_page(req, post, 400, error=str(e), draft=req.arg("body")[:5000])
    req.db.execute("INSERT INTO forum_comments (post_id, parent_id, user_id, body, created) VALUES (?, NULL, ?, ?, ?)",
                   (post["id"], user["id"], body, NOW))
    return Response.redirect(req.url(f"/f/{post['forum']}/{post['id']}", msg="Your comment was posted."))


@router.route("/comment/<int:cid>/reply", methods=("GET", "POST"))
def reply(req: Request) -> Response:
    user = require_user(req)
    c = req.db.one("SELECT c.*, u.username, f.name AS forum, p.title FROM forum_comments c JOIN forum_users u"
                   " ON u.id = c.user_id JOIN forum_posts p ON p.id = c.post_id JOIN forum_forums f"
                   " ON f.id = p.forum_id WHERE c.id = ?", (req.params["cid"],))
    if c is None:
        raise HTTPError(404, f"there is no comment {req.params['cid']}")
    if req.method == "GET":
        return page(req, "reply.html", c=c, draft="")
    try:
        body = clean_text(req.arg("body"), "Reply", 5000)
    except Invalid as e:
        return page(req, "reply.html", 400, c=c, draft=req.arg("body")[:5000], error=str(e))
    parent = c["parent_id"] or c["id"]  # one level of nesting, as the listing shows
    req.db.execute("INSERT INTO forum_comments (post_id, parent_id, user_id, body, created) VALUES (?, ?, ?, ?, ?)",
                   (c["post_id"], parent, user["id"], body, NOW))
    return Response.redirect(req.url(f"/f/{c['forum']}/{c['post_id']}", msg="Your reply was posted."))


@router.route("/comment/<str:bad>/reply")
def bad_comment_id(req: Request) -> Response:
    raise HTTPError(400, f"a comment id must be a whole number, got {req.params['bad'][:40]!r}")


@router.route("/vote", methods=("POST",))
def vote(req: Request) -> Response:
    user = require_user(req)
    target, direction = req.arg("target"), req.arg("dir")
    if target not in ("post", "comment") or direction not in ("up", "down"):
        raise HTTPError(400, "target must be post or comment and dir must be up or down")
    tid = req.int_arg("id", 0)
    table = "forum_posts" if target == "post" else "forum_comments"
    row = req.db.one(f"SELECT id FROM {table} WHERE id = ?", (tid,))
    if row is None:
        raise HTTPError(404, f"there is no {target} {tid}")
    value = 1 if direction == "up" else -1
    old = req.db.scalar("SELECT value FROM forum_votes WHERE user_id = ? AND target = ? AND target_id = ?",
                        (user["id"], target, tid)) or 0
    new = 0 if old == value else value  # voting the same way again takes the vote back
    req.db.execute("DELETE FROM forum_votes WHERE user_id = ? AND target = ? AND target_id = ?", (user["id"], target, tid))
    if new:
        req.db.execute("INSERT INTO forum_votes VALUES (?, ?, ?, ?)", (user["id"], target, tid, new))
    req.db.execute(f"UPDATE {table} SET score = score + ? WHERE id = ?", (new - old, tid))
    nxt = req.arg("next")
    nxt = nxt if nxt.startswith(PREFIX + "/") else req.url("/")
    return Response.redirect(nxt + ("&" if "?" in nxt else "?") + urlencode({"msg": "Your vote was recorded."}))


def _post_form(req: Request, post: Any | None) -> Response:
    """The create (post None) and edit form: validate, then insert or update."""
    user = require_user(req)
    all_forums = [r["name"] for r in req.db.query("SELECT name FROM forum_forums ORDER BY name COLLATE NOCASE")]
    vals = {"forum": post["forum"] if post else req.arg("forum"), "title": post["title"] if post else "",
            "body": post["body"] if post else ""}
    if req.method == "GET":
        return page(req, "submit.html", post=post, forums=all_forums, vals=vals)
    vals = {"forum": req.arg("forum")[:100], "title": req.arg("title")[:300], "body": req.arg("body")[:10000]}
    try:
        if vals["forum"] not in all_forums:
            raise Invalid("Choose a forum from the list.")
        title = clean_text(req.arg("title"), "Title", 200)
        body = clean_text(req.arg("body"), "Body", 10000)
    except Invalid as e:
        return page(req, "submit.html", 400, post=post, forums=all_forums, vals=vals, error=str(e))
    fid = req.db.scalar("SELECT id FROM forum_forums WHERE name = ?", (vals["forum"],))
    if post is None:
        pid = req.db.execute("INSERT INTO forum_posts (forum_id, user_id, title, body, created) VALUES (?, ?, ?, ?, ?)",
                             (fid, user["id"], title, body, NOW))
        msg = "Your post was created."
    else:
        pid = post["id"]
        req.db.execute("UPDATE forum_posts SET title = ?, body = ?, forum_id = ? WHERE id = ?", (title, body, fid, pid))
        msg = "Your post was updated."
    return Response.redirect(req.url(f"/f/{vals['forum']}/{pid}", msg=msg))


@router.route("/submit", methods=("GET", "POST"))
def submit(req: Request) -> Response:
    return _post_form(req, None)


def _own_post(req: Request) -> Any:
    user = require_user(req)
    post = _post(req, req.params["name"], req.params["pid"])
    if post["user_id"] != user["id"] or post["deleted"]:
        raise HTTPError(403, "you can only change your own posts")
    return post


@router.route("/f/<str:name>/<int:pid>/edit", methods=("GET", "POST"))
def edit(req: Request) -> Response:
    return _post_form(req, _own_post(req))


@router.route("/f/<str:name>/<int:pid>/delete", methods=("POST",))
def delete(req: Request) -> Response:
    post = _own_post(req)
    req.db.execute("UPDATE forum_posts SET deleted = 1 WHERE id = ?", (post["id"],))
    return Response.redirect(req.url(f"/f/{post['forum']}/{post['id']}", msg="Your post was deleted."))


@router.route("/user/<str:username>")
def user_page(req: Request) -> Response:
    u = req.db.one("SELECT * FROM forum_users WHERE username = ?", (req.params["username"],))
    if u is None:
        raise HTTPError(404, f"there is no user named {req.params['username'][:60]!r}")
    posts, pg, more = _paged(req, f"{POST_COLS} WHERE p.user_id = ? AND NOT p.deleted ORDER BY {SORTS['new']}",
                             (u["id"],))
    comments = req.db.query(
        "SELECT c.body, c.score, c.created, p.id AS post_id, p.title, f.name AS forum FROM forum_comments c"
        " JOIN forum_posts p ON p.id = c.post_id JOIN forum_forums f ON f.id = p.forum_id WHERE c.user_id = ?"
        " ORDER BY c.created DESC, c.id DESC LIMIT 10", (u["id"],))
    return page(req, "user.html", u=u, posts=posts, pg=pg, more=more, comments=comments)


@router.route("/search")
def search(req: Request) -> Response:
    q = req.arg("q")[:200]
    posts: list[Any] = []
    pg, more = 1, False
    if q:
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        posts, pg, more = _paged(req, f"{POST_COLS} WHERE NOT p.deleted AND (p.title LIKE ? ESCAPE '\\'"
                                 f" OR p.body LIKE ? ESCAPE '\\') ORDER BY {SORTS['top']}", (like, like))
    return page(req, "search.html", q=q, posts=posts, pg=pg, more=more)
