"""Forum task templates 310-316: creating, replying, editing, deleting, and the long multi-forum tasks."""

from __future__ import annotations

import random
import re
from typing import Any
from urllib.parse import quote_plus

from mira.arena.db import Database
from mira.arena.oracle import find, seek, select, type_into
from mira.arena.tasks import TaskSpec
from mira.arena.tasks._fc import Gen, db_ms, go, html_check, html_eval, search_forum, table_rows, url_ms
from mira.arena.tasks.forum import (
    ME,
    NEW_BODIES,
    NEW_TITLES,
    REPLIES,
    F,
    _i300,
    _names,
    _pick,
    _post_of,
    _post_rx,
    _post_url,
    _reg,
    _stop,
    _top_post,
    _unique_top_forums,
)
from mira.types import Observation


def _next_post_id(db: Database) -> int:
    return int(db.scalar("SELECT MAX(id) FROM forum_posts")) + 1


# 310 --- state: create a post
def _i310(db: Database, rng: random.Random) -> list[dict[str, Any]]:
    forums = _pick(rng, _names(db, "SELECT name FROM forum_forums ORDER BY id"))
    titles = rng.sample(NEW_TITLES, len(forums))
    return [{"forum": f, "title": t, "body": rng.choice(NEW_BODIES)} for f, t in zip(forums, titles, strict=True)]


def _b310(inst: dict[str, Any], db: Database) -> TaskSpec:
    f, t, b = inst["forum"], inst["title"], inst["body"]
    return TaskSpec(f"{F}/", html_eval(html_check(f"{F}/f/{f}/{_next_post_id(db)}", [t, b])), [
        url_ms("Open the form to create a post", "/forum/submit"),
        db_ms(f"Create the post in {f}", "SELECT COUNT(*) FROM forum_posts p JOIN forum_forums f ON f.id = p.forum_id"
              " WHERE p.user_id = ? AND f.name = ? AND p.title = ? AND p.body = ?", ME, f, t, b)])


def _s310(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield from go(obs, "link", inst["forum"])
    obs = yield from go(obs, "link", f"Create a post in {inst['forum']}")
    obs = yield type_into(obs, "textbox", "Title", inst["title"])
    obs = yield type_into(obs, "textbox", "Body", inst["body"])
    obs = yield from go(obs, "button", "Create post")
    yield _stop()


_reg(310, "state", 'Create a post in the {{forum}} forum titled "{{title}}" with the body "{{body}}".',
     _i310, _b310, _s310)


# 311 --- state: reply to a comment
def _i311(db: Database, rng: random.Random) -> list[dict[str, Any]]:
    rows = db.query("SELECT p.title, u.username FROM forum_comments c JOIN forum_posts p ON p.id = c.post_id"
                    " JOIN forum_users u ON u.id = c.user_id WHERE c.parent_id IS NULL AND NOT p.deleted AND"
                    " (SELECT COUNT(*) FROM forum_comments c2 WHERE c2.post_id = c.post_id AND c2.user_id = c.user_id)"
                    " = 1 ORDER BY c.id")
    picks = _pick(rng, [tuple(r) for r in rows])
    return [{"title": t, "user": u, "text": rng.choice(REPLIES)} for t, u in picks]


def _comment_id(db: Database, title: str, user: str) -> int:
    return int(db.scalar("SELECT c.id FROM forum_comments c JOIN forum_posts p ON p.id = c.post_id JOIN forum_users u"
                         " ON u.id = c.user_id WHERE p.title = ? AND u.username = ?", (title, user)))


def _b311(inst: dict[str, Any], db: Database) -> TaskSpec:
    cid = _comment_id(db, inst["title"], inst["user"])
    return TaskSpec(f"{F}/", html_eval(html_check(_post_url(db, inst["title"]), [inst["text"]], f"#comment-{cid}")), [
        url_ms("Open the post", _post_rx(db, inst["title"])),
        url_ms(f"Open the reply form of {inst['user']}'s comment", f"/forum/comment/{cid}/reply"),
        db_ms("Post the reply", "SELECT COUNT(*) FROM forum_comments WHERE parent_id = ? AND user_id = ? AND body = ?",
              cid, ME, inst["text"])])


def _s311(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield from search_forum(obs, inst["title"])
    obs = yield from go(obs, "link", f"Reply to {inst['user']}")
    obs = yield type_into(obs, "textbox", "Reply", inst["text"])
    obs = yield from go(obs, "button", "Post reply")
    yield _stop()


_reg(311, "state", 'Reply "{{text}}" to the comment by {{user}} on the post "{{title}}".', _i311, _b311, _s311)


# 312 --- state: comment on the top post of a forum (held out)
def _i312(db: Database, rng: random.Random) -> list[dict[str, Any]]:
    return [i | {"text": rng.choice(REPLIES)} for i in _i300(db, rng)[:10]]


def _b312(inst: dict[str, Any], db: Database) -> TaskSpec:
    f, top = inst["forum"], _top_post(db, inst["forum"])
    return TaskSpec(f"{F}/", html_eval(html_check(f"{F}/f/{f}/{top['id']}", [inst["text"]], "#comments")), [
        url_ms("Sort the forum by top", f"/forum/f/{re.escape(f)}\\?.*sort=top"),
        url_ms("Open its first post", f"/forum/f/{re.escape(f)}/{top['id']}$"),
        db_ms("Post the comment", "SELECT COUNT(*) FROM forum_comments WHERE post_id = ? AND user_id = ? AND body = ?",
              top["id"], ME, inst["text"])])


def _s312(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield from go(obs, "link", inst["forum"])
    obs = yield from go(obs, "link", "Top")
    obs = yield from go(obs, "link", table_rows(obs)[0][0])
    obs = yield type_into(obs, "textbox", "Comment", inst["text"])
    obs = yield from go(obs, "button", "Post comment")
    yield _stop()


_reg(312, "state", 'Comment "{{text}}" on the top post of all time in the {{forum}} forum.', _i312, _b312, _s312,
     test_only=True)


# 313/314 --- state: edit / delete one of your own posts (found through your profile's pages)
def _i313(db: Database, rng: random.Random) -> list[dict[str, Any]]:
    mine = _names(db, "SELECT title FROM forum_posts WHERE user_id = ? AND NOT deleted ORDER BY id", ME)
    return [{"title": t, "body": rng.choice(NEW_BODIES)} for t in _pick(rng, mine)]


def _b313(inst: dict[str, Any], db: Database) -> TaskSpec:
    pid = _post_of(db, inst["title"])["id"]
    return TaskSpec(f"{F}/", html_eval(html_check(_post_url(db, inst["title"]), [inst["body"]], "#post-body")), [
        url_ms("Open the post", _post_rx(db, inst["title"])),
        url_ms("Open its edit form", f"/forum/f/[^/]+/{pid}/edit"),
        db_ms("Save the new body", "SELECT COUNT(*) FROM forum_posts WHERE id = ? AND body = ?", pid, inst["body"])])


def _my_post(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield from go(obs, "link", "My profile")
    obs, _ = yield from seek(obs, "link", inst["title"])
    obs = yield from go(obs, "link", inst["title"])
    return obs


def _s313(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield from _my_post(inst, obs)
    obs = yield from go(obs, "link", "Edit post")
    obs = yield type_into(obs, "textbox", "Body", inst["body"])
    obs = yield from go(obs, "button", "Save changes")
    yield _stop()


_reg(313, "state", 'Change the body of your post "{{title}}" to "{{body}}".', _i313, _b313, _s313)


def _i314(db: Database, rng: random.Random) -> list[dict[str, Any]]:
    return [{"title": i["title"]} for i in _i313(db, rng)]


def _b314(inst: dict[str, Any], db: Database) -> TaskSpec:
    pid = _post_of(db, inst["title"])["id"]
    check = html_check(_post_url(db, inst["title"]), ["This post was deleted"], "#post-body")
    return TaskSpec(f"{F}/", html_eval(check), [
        url_ms("Open the post", _post_rx(db, inst["title"])),
        db_ms("Delete it", "SELECT deleted FROM forum_posts WHERE id = ?", pid)])


def _s314(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield from _my_post(inst, obs)
    obs = yield from go(obs, "button", "Delete post")
    yield _stop()


_reg(314, "state", 'Delete your post titled "{{title}}".', _i314, _b314, _s314)


# 315 --- state, long: the same post in three forums
def _three(db: Database, rng: random.Random, forums: list[str]) -> list[list[str]]:
    return [rng.sample(forums, 3) for _ in range(12)]


def _i315(db: Database, rng: random.Random) -> list[dict[str, Any]]:
    forums = _names(db, "SELECT name FROM forum_forums ORDER BY id")
    return [{"title": t, "body": rng.choice(NEW_BODIES), "f1": a, "f2": b, "f3": c}
            for t, (a, b, c) in zip(rng.sample(NEW_TITLES, 12), _three(db, rng, forums), strict=True)]


def _b315(inst: dict[str, Any], db: Database) -> TaskSpec:
    t, fs = inst["title"], [inst["f1"], inst["f2"], inst["f3"]]
    sql = ("SELECT COUNT(DISTINCT f.name) >= ? FROM forum_posts p JOIN forum_forums f ON f.id = p.forum_id WHERE"
           " p.user_id = ? AND p.title = ? AND p.body = ? AND f.name IN (?, ?, ?)")
    return TaskSpec(f"{F}/", html_eval(html_check(f"{F}/search?q={quote_plus(t)}", fs, "#posts")), [
        db_ms(f"Post it in {fs[0]}" if k == 1 else f"Post it in a {['', '', 'second', 'third'][k]} forum",
              sql, k, ME, t, inst["body"], *fs) for k in (1, 2, 3)])


def _s315(inst: dict[str, Any], obs: Observation) -> Gen:
    for f in (inst["f1"], inst["f2"], inst["f3"]):
        obs = yield from go(obs, "link", "Submit a post")
        obs = yield select(obs, "combobox", "Forum", f)
        obs = yield type_into(obs, "textbox", "Title", inst["title"])
        obs = yield type_into(obs, "textbox", "Body", inst["body"])
        obs = yield from go(obs, "button", "Create post")
    yield _stop()


_reg(315, "state", 'Post "{{title}}" with the body "{{body}}" in each of the forums {{f1}}, {{f2}} and {{f3}}.',
     _i315, _b315, _s315)


# 316 --- state, long: subscribe to three forums and upvote each one's top post
def _i316(db: Database, rng: random.Random) -> list[dict[str, Any]]:
    subscribed = set(_names(db, "SELECT f.name FROM forum_subscriptions s JOIN forum_forums f ON f.id = s.forum_id"
                                " WHERE s.user_id = ?", ME))
    forums = [f for f in _unique_top_forums(db) if f not in subscribed]
    return [{"f1": a, "f2": b, "f3": c} for a, b, c in _three(db, rng, forums)]


def _b316(inst: dict[str, Any], db: Database) -> TaskSpec:
    fs = [inst["f1"], inst["f2"], inst["f3"]]
    tops = [_top_post(db, f)["id"] for f in fs]
    checks = [html_check(f"{F}/f/{f}", ["You are subscribed"], "#subscription") for f in fs]
    checks += [html_check(f"{F}/f/{f}/{p}", ["Your vote: upvoted"], "#my-vote") for f, p in zip(fs, tops, strict=True)]
    sql = ("SELECT EXISTS(SELECT 1 FROM forum_subscriptions s JOIN forum_forums f ON f.id = s.forum_id WHERE"
           " s.user_id = ? AND f.name = ?) AND EXISTS(SELECT 1 FROM forum_votes WHERE user_id = ? AND target = 'post'"
           " AND target_id = ? AND value = 1)")
    return TaskSpec(f"{F}/", html_eval(*checks), [
        db_ms(f"Subscribe to {f} and upvote its top post", sql, ME, f, ME, p) for f, p in zip(fs, tops, strict=True)])


def _s316(inst: dict[str, Any], obs: Observation) -> Gen:
    for f in (inst["f1"], inst["f2"], inst["f3"]):
        if find(obs, "heading", "Forums") is None:  # not on the forum list yet
            obs = yield from go(obs, "link", "Forum")
        obs = yield from go(obs, "link", f)
        obs = yield from go(obs, "button", "Subscribe")
        obs = yield from go(obs, "link", "Top")
        obs = yield from go(obs, "link", table_rows(obs)[0][0])
        obs = yield from go(obs, "button", "Upvote post")
    yield _stop()


_reg(316, "state", "Subscribe to the forums {{f1}}, {{f2}} and {{f3}}, and upvote the top post of all time in each"
     " of them.", _i316, _b316, _s316)


# 317 --- state, longest: subscribe to four forums and comment on each one's top post
def _i317(db: Database, rng: random.Random) -> list[dict[str, Any]]:
    subscribed = set(_names(db, "SELECT f.name FROM forum_subscriptions s JOIN forum_forums f ON f.id = s.forum_id"
                                " WHERE s.user_id = ?", ME))
    forums = [f for f in _unique_top_forums(db) if f not in subscribed]
    return [{"f1": a, "f2": b, "f3": c, "f4": d, "text": rng.choice(REPLIES)}
            for a, b, c, d in (rng.sample(forums, 4) for _ in range(12))]


def _b317(inst: dict[str, Any], db: Database) -> TaskSpec:
    fs = [inst[f"f{k}"] for k in (1, 2, 3, 4)]
    tops = [_top_post(db, f)["id"] for f in fs]
    checks = [html_check(f"{F}/f/{f}", ["You are subscribed"], "#subscription") for f in fs]
    checks += [html_check(f"{F}/f/{f}/{p}", [inst["text"]], "#comments") for f, p in zip(fs, tops, strict=True)]
    sql = ("SELECT EXISTS(SELECT 1 FROM forum_subscriptions s JOIN forum_forums f ON f.id = s.forum_id WHERE"
           " s.user_id = ? AND f.name = ?) AND EXISTS(SELECT 1 FROM forum_comments WHERE user_id = ? AND post_id = ?"
           " AND body = ?)")
    return TaskSpec(f"{F}/", html_eval(*checks), [
        db_ms(f"Subscribe to {f} and comment on its top post", sql, ME, f, ME, p, inst["text"])
        for f, p in zip(fs, tops, strict=True)])


def _s317(inst: dict[str, Any], obs: Observation) -> Gen:
    for k in (1, 2, 3, 4):
        if find(obs, "heading", "Forums") is None:  # not on the forum list yet
            obs = yield from go(obs, "link", "Forum")
        obs = yield from go(obs, "link", inst[f"f{k}"])
        obs = yield from go(obs, "button", "Subscribe")
        obs = yield from go(obs, "link", "Top")
        obs = yield from go(obs, "link", table_rows(obs)[0][0])
        obs = yield type_into(obs, "textbox", "Comment", inst["text"])
        obs = yield from go(obs, "button", "Post comment")
    yield _stop()


_reg(317, "state", 'For each of the forums {{f1}}, {{f2}}, {{f3}} and {{f4}}: subscribe to it and comment "{{text}}"'
     " on its top post of all time.", _i317, _b317, _s317)
