"""The forum site: seeded data, pages, actions, and a table of bad inputs (never a 500)."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator

import pytest
from arena_http import Client

from mira.arena.db import Database, _connect
from mira.arena.server import ArenaServer
from mira.arena.sites import forum

ME = forum.DEFAULT_USER_ID


@pytest.fixture(scope="module")
def srv() -> Iterator[ArenaServer]:
    with ArenaServer() as s:
        yield s


@pytest.fixture()
def me(srv: ArenaServer) -> Client:
    srv.reset()
    return Client(srv, "forum", ME)


def _seeded(seed: int) -> Database:
    db = Database(_connect())
    db.conn.executescript(forum.SCHEMA)
    forum.seed(db, random.Random(seed))
    return db


def test_seed_is_deterministic_big_and_fast() -> None:
    t = time.process_time()
    a = _seeded(7)
    elapsed = time.process_time() - t
    b, c = _seeded(7), _seeded(8)
    dump = lambda db: db.query("SELECT id, forum_id, user_id, title, body, created, score FROM forum_posts")  # noqa: E731
    assert [tuple(r) for r in dump(a)] == [tuple(r) for r in dump(b)]
    assert [tuple(r) for r in dump(a)] != [tuple(r) for r in dump(c)]
    assert a.scalar("SELECT COUNT(*) FROM forum_forums") == 20
    assert a.scalar("SELECT COUNT(*) FROM forum_posts") > 500
    assert a.scalar("SELECT COUNT(*) FROM forum_comments") > 1000
    assert a.scalar("SELECT COUNT(DISTINCT title) FROM forum_posts") == a.scalar("SELECT COUNT(*) FROM forum_posts")
    assert a.scalar("SELECT COUNT(*) FROM forum_posts WHERE title LIKE '%''%'") == 0  # names stay quote-free
    assert elapsed < 0.5, f"forum seeding took {elapsed:.2f}s of CPU"


@pytest.mark.parametrize("path", ["/forum/", "/forum/f/books", "/forum/f/books?sort=new&page=2",
                                  "/forum/f/books?sort=top", "/forum/f/books/1", "/forum/user/MarvelsGrantMan136",
                                  "/forum/search?q=Dune", "/forum/submit", "/forum/comment/1/reply", "/forum/login"])
def test_pages_render(me: Client, path: str) -> None:
    r = me.get(path)
    assert r.status == 200, r.body[:500]
    assert "<h1>" in r.body or "<h1 " in r.body


def test_listing_pages_and_sorts(me: Client, srv: ArenaServer) -> None:
    top = me.get("/forum/f/books?sort=top").body
    best = srv.db.scalar("SELECT title FROM forum_posts WHERE forum_id = (SELECT id FROM forum_forums WHERE"
                         " name = 'books') ORDER BY score DESC, id DESC LIMIT 1")
    assert top.index(best) < top.index("Next")
    assert ">Previous<" in me.get("/forum/f/books?sort=top&page=2").body


def test_vote_subscribe_comment_edit_delete(me: Client, srv: ArenaServer) -> None:
    pid, score = srv.db.query("SELECT id, score FROM forum_posts WHERE forum_id = 1 LIMIT 1")[0]
    assert me.post("/forum/vote", {"target": "post", "id": str(pid), "dir": "up", "next": "/forum/"}).status == 303
    assert srv.db.scalar("SELECT score FROM forum_posts WHERE id = ?", (pid,)) == score + 1
    me.post("/forum/vote", {"target": "post", "id": str(pid), "dir": "down"})  # switching costs two
    assert srv.db.scalar("SELECT score FROM forum_posts WHERE id = ?", (pid,)) == score - 1
    me.post("/forum/vote", {"target": "post", "id": str(pid), "dir": "down"})  # the same vote again takes it back
    assert srv.db.scalar("SELECT score FROM forum_posts WHERE id = ?", (pid,)) == score

    name = srv.db.scalar("SELECT name FROM forum_forums WHERE id NOT IN (SELECT forum_id FROM forum_subscriptions"
                         " WHERE user_id = ?) LIMIT 1", (ME,))
    me.post(f"/forum/f/{name}/subscribe", {"action": "subscribe"})
    assert "You are subscribed to this forum" in me.get(f"/forum/f/{name}").body
    me.post(f"/forum/f/{name}/subscribe", {"action": "unsubscribe"})
    assert "You are not subscribed to this forum" in me.get(f"/forum/f/{name}").body

    r = me.post("/forum/submit", {"forum": "books", "title": "Robert'); DROP TABLE forum_posts;--", "body": "Hi \"x\""})
    assert r.status == 303
    new = me.get(r.location.split("?")[0]).body
    assert "Robert&#39;); DROP TABLE forum_posts;--" in new and "Edit post" in new
    new_id = int(r.location.split("?")[0].rsplit("/", 1)[1])
    assert me.post(f"/forum/f/books/{new_id}/comment", {"body": "First!"}).status == 303
    cid = srv.db.scalar("SELECT id FROM forum_comments WHERE post_id = ?", (new_id,))
    assert me.post(f"/forum/comment/{cid}/reply", {"body": "Second"}).status == 303
    assert srv.db.scalar("SELECT parent_id FROM forum_comments WHERE body = 'Second'") == cid
    assert f'id="comment-{cid}"' in me.get(f"/forum/f/books/{new_id}").body
    assert me.post(f"/forum/f/books/{new_id}/edit", {"forum": "books", "title": "T2", "body": "B2"}).status == 303
    assert tuple(srv.db.query("SELECT title, body FROM forum_posts WHERE id = ?", (new_id,))[0]) == ("T2", "B2")
    assert me.post(f"/forum/f/books/{new_id}/delete", {}).status == 303
    assert "This post was deleted" in me.get(f"/forum/f/books/{new_id}").body


def test_fresh_state_after_reset(me: Client, srv: ArenaServer) -> None:
    assert srv.db.scalar("SELECT COUNT(*) FROM forum_posts WHERE title = 'T2'") == 0


def test_signed_out_users_are_sent_to_login(srv: ArenaServer) -> None:
    anon = Client(srv, "forum", None)
    r = anon.post("/forum/submit", {"forum": "books", "title": "x", "body": "y"})
    assert r.status == 303 and "/forum/login" in r.location
    assert "Upvote post" not in anon.get("/forum/f/books/1").body
    r = anon.post("/forum/login", {"username": "MarvelsGrantMan136", "password": forum.PASSWORD, "next": "/forum/f/books"})
    assert r.status == 303 and r.location == "/forum/f/books"
    assert anon.post("/forum/login", {"username": "nobody", "password": "x"}).status == 400


BAD = [
    ("GET", "/forum/f/no-such-forum", None, 404, "no forum named"),
    ("GET", "/forum/f/books/999999", None, 404, "no post 999999"),
    ("GET", "/forum/f/books/abc", None, 400, "whole number"),
    ("GET", "/forum/f/books?page=abc", None, 400, "page must be a whole number"),
    ("GET", "/forum/f/books?sort=sideways", None, 400, "sort must be one of"),
    ("GET", "/forum/user/nobody-here", None, 404, "no user named"),
    ("GET", "/forum/comment/999999/reply", None, 404, "no comment"),
    ("GET", "/forum/comment/x1/reply", None, 400, "whole number"),
    ("GET", "/forum/search?q=%25_%27%22", None, 200, "Search posts"),
    ("POST", "/forum/submit", {"forum": "books", "title": "", "body": "b"}, 400, "Title must not be empty"),
    ("POST", "/forum/submit", {"forum": "books", "title": "t", "body": "   "}, 400, "Body must not be empty"),
    ("POST", "/forum/submit", {"forum": "nowhere", "title": "t", "body": "b"}, 400, "Choose a forum"),
    ("POST", "/forum/submit", {"title": "t", "body": "b"}, 400, "Choose a forum"),
    ("POST", "/forum/submit", {"forum": "books", "title": "<script>alert(1)</script>", "body": "b"}, 400, "plain text"),
    ("POST", "/forum/submit", {"forum": "books", "title": "x" * 500, "body": "b"}, 400, "too long"),
    ("POST", "/forum/submit", {"forum": "books", "title": "t", "body": "y" * 20000}, 400, "too long"),
    ("POST", "/forum/f/books/1/comment", {"body": ""}, 400, "Comment must not be empty"),
    ("POST", "/forum/f/books/1/comment", {}, 400, "Comment must not be empty"),
    ("POST", "/forum/comment/1/reply", {"body": "<img src=x onerror=alert(1)>"}, 400, "plain text"),
    ("POST", "/forum/vote", {"target": "post", "id": "1", "dir": "sideways"}, 400, "dir must be up or down"),
    ("POST", "/forum/vote", {"target": "user", "id": "1", "dir": "up"}, 400, "target must be post or comment"),
    ("POST", "/forum/vote", {"target": "post", "id": "abc", "dir": "up"}, 400, "id must be a whole number"),
    ("POST", "/forum/vote", {"target": "comment", "id": "999999", "dir": "up"}, 404, "no comment 999999"),
    ("POST", "/forum/f/no-such/subscribe", {}, 404, "no forum named"),
    ("GET", "/forum/nothing/here", None, 404, "no page"),
]


@pytest.mark.parametrize(("method", "path", "form", "status", "message"), BAD)
def test_bad_input_gets_a_clear_error(me: Client, method: str, path: str, form: dict[str, str] | None, status: int,
                                      message: str) -> None:
    r = me.request(method, path, form)
    assert r.status == status, r.body[:400]
    assert message.lower() in r.body.lower().replace("&#39;", "'")
    assert "<script>" not in r.body


def test_only_the_author_may_edit_or_delete(me: Client, srv: ArenaServer) -> None:
    pid, name = srv.db.query("SELECT p.id, f.name FROM forum_posts p JOIN forum_forums f ON f.id = p.forum_id"
                             " WHERE p.user_id != ? LIMIT 1", (ME,))[0]
    assert me.get(f"/forum/f/{name}/{pid}/edit").status == 403
    assert me.post(f"/forum/f/{name}/{pid}/delete", {}).status == 403
    assert srv.db.scalar("SELECT deleted FROM forum_posts WHERE id = ?", (pid,)) == 0
