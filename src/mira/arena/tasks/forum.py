"""Forum task templates (ids 300-399): information, navigation and state changes on the `forum` site."""

from __future__ import annotations

import random
import re
from typing import Any

from mira.arena.db import Database
from mira.arena.oracle import find, read
from mira.arena.tasks import TaskSpec, TaskTemplate, register
from mira.arena.tasks._fc import (
    Gen,
    answer_ms,
    db_ms,
    go,
    html_check,
    html_eval,
    ms,
    search_forum,
    site_goto,
    string_eval,
    table_rows,
    url_eval,
    url_ms,
)
from mira.types import Observation

F = "__FORUM__"
ME = 1  # the forum account tasks run as (forum.DEFAULT_USER_ID)
N = 12

NEW_TITLES = ["Weekend meetup for members", "Looking for a study buddy", "Monthly recap thread", "Community guidelines update",
              "Survey about favourite resources", "Charity drive this month", "Photo contest announcement",
              "Beginner questions megathread", "Volunteers wanted for the wiki", "Ask me anything on Friday",
              "Swap and share thread", "Local group forming"]
NEW_BODIES = ["Everyone is welcome, reply below if you want to join.", "Please share your ideas in the comments.",
              "Details will follow next week, stay tuned.", "Thanks to all who helped organise this.",
              "Let us keep it friendly and on topic.", "The sign up sheet closes on Sunday evening."]
REPLIES = ["Thanks, that helped a lot", "Totally agree with this", "Could you explain a bit more",
           "Great point, I had not considered that", "This matches my experience", "Interesting, saving this thread"]


def _names(db: Database, sql: str, *params: Any) -> list[Any]:
    return [r[0] for r in db.query(sql, params)]


def _pick(rng: random.Random, items: list[Any], n: int = N) -> list[Any]:
    return rng.sample(items, min(n, len(items)))


def _post_of(db: Database, title: str) -> Any:
    return db.one("SELECT p.id, f.name AS forum, p.user_id FROM forum_posts p JOIN forum_forums f ON f.id = p.forum_id"
                  " WHERE p.title = ?", (title,))


def _post_url(db: Database, title: str) -> str:
    p = _post_of(db, title)
    return f"{F}/f/{p['forum']}/{p['id']}"


def _post_rx(db: Database, title: str) -> str:
    p = _post_of(db, title)
    return f"/forum/f/{re.escape(p['forum'])}/{p['id']}$"


def _find_rx(db: Database, title: str) -> str:
    """Pages where a post can be found: the search results or its forum's listing."""
    return f"/forum/(search\\?q=|f/{re.escape(_post_of(db, title)['forum'])}(\\?|$))"


def _top_post(db: Database, forum: str) -> Any:
    return db.one("SELECT p.id, p.title FROM forum_posts p JOIN forum_forums f ON f.id = p.forum_id WHERE f.name = ?"
                  " AND NOT p.deleted ORDER BY p.score DESC, p.id DESC LIMIT 1", (forum,))


def _unique_top_forums(db: Database) -> list[str]:
    out = []
    for name in _names(db, "SELECT name FROM forum_forums ORDER BY id"):
        s = db.query("SELECT p.score FROM forum_posts p JOIN forum_forums f ON f.id = p.forum_id WHERE f.name = ?"
                     " ORDER BY p.score DESC LIMIT 2", (name,))
        if s[0][0] > s[1][0]:
            out.append(name)
    return out


def _titles(db: Database, rng: random.Random, where: str = "1", *params: Any) -> list[str]:
    return _pick(rng, _names(db, f"SELECT title FROM forum_posts WHERE NOT deleted AND {where} ORDER BY id", *params))


def _reg(tid: int, kind: str, intent: str, instances: Any, build: Any, solve: Any, test_only: bool = False) -> None:
    register(TaskTemplate(tid, ("forum",), intent, kind, instances, build, solve, test_only))


def _open_forum(obs: Observation, forum: str) -> Gen:
    obs = yield from go(obs, "link", "Forum")
    obs = yield from go(obs, "link", forum)
    return obs


def _stop(answer: Any = "") -> str:
    return f"stop [{answer}]"


# 300 --- info: the top post of a forum
def _i300(db: Database, rng: random.Random) -> list[dict[str, Any]]:
    return [{"forum": f} for f in _pick(rng, _unique_top_forums(db))]


def _b300(inst: dict[str, Any], db: Database) -> TaskSpec:
    f = inst["forum"]
    return TaskSpec(f"{F}/", string_eval(_top_post(db, f)["title"]), [
        url_ms(f"Open the {f} forum", f"/forum/f/{re.escape(f)}\\b"),
        url_ms("Sort its posts by top", f"/forum/f/{re.escape(f)}\\?.*sort=top"),
        answer_ms("Answer with the title of the first post")])


def _s300(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield from go(obs, "link", inst["forum"])
    obs = yield from go(obs, "link", "Top")
    yield _stop(table_rows(obs)[0][0])


_reg(300, "info", "What is the title of the top post of all time in the {{forum}} forum?", _i300, _b300, _s300)


# 301 --- info: how many comments a post has
def _i301(db: Database, rng: random.Random) -> list[dict[str, Any]]:
    return [{"title": t} for t in _titles(db, rng)]


def _b301(inst: dict[str, Any], db: Database) -> TaskSpec:
    n = db.scalar("SELECT COUNT(*) FROM forum_comments c JOIN forum_posts p ON p.id = c.post_id WHERE p.title = ?",
                  (inst["title"],))
    return TaskSpec(f"{F}/", string_eval(n), [
        url_ms("Find the post (search or its forum)", _find_rx(db, inst["title"])),
        url_ms("Open the post", _post_rx(db, inst["title"])), answer_ms("Answer with its number of comments")])


def _s301(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield from search_forum(obs, inst["title"])
    yield _stop(read(obs, r"heading '(\d+) comments'"))


_reg(301, "info", 'How many comments does the post "{{title}}" have?', _i301, _b301, _s301)


# 302 --- info: the author of a post
def _b302(inst: dict[str, Any], db: Database) -> TaskSpec:
    author = db.scalar("SELECT u.username FROM forum_posts p JOIN forum_users u ON u.id = p.user_id WHERE p.title = ?",
                       (inst["title"],))
    return TaskSpec(f"{F}/", string_eval(author), [
        url_ms("Find the post (search or its forum)", _find_rx(db, inst["title"])),
        url_ms("Open the post", _post_rx(db, inst["title"])), answer_ms("Answer with the author's name")])


def _s302(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield from search_forum(obs, inst["title"])
    yield _stop(read(obs, r"StaticText 'Posted by'\n\s*\[\d+\] link '([^']+)'"))


_reg(302, "info", 'Who wrote the post "{{title}}"?', _i301, _b302, _s302)


# 303 --- info: count a user's posts in one forum (pages through the user's posts)
def _i303(db: Database, rng: random.Random) -> list[dict[str, Any]]:
    rows = db.query("SELECT u.username, f.name FROM forum_posts p JOIN forum_users u ON u.id = p.user_id JOIN"
                    " forum_forums f ON f.id = p.forum_id WHERE u.id IN (SELECT user_id FROM forum_posts GROUP BY"
                    " user_id HAVING COUNT(*) > 20) GROUP BY u.id, f.id ORDER BY u.id, f.id")
    return [{"user": u, "forum": f} for u, f in _pick(rng, [tuple(r) for r in rows])]


def _b303(inst: dict[str, Any], db: Database) -> TaskSpec:
    n = db.scalar("SELECT COUNT(*) FROM forum_posts p JOIN forum_users u ON u.id = p.user_id JOIN forum_forums f"
                  " ON f.id = p.forum_id WHERE u.username = ? AND f.name = ? AND NOT p.deleted",
                  (inst["user"], inst["forum"]))
    return TaskSpec(f"{F}/", string_eval(n), [
        url_ms(f"Open the profile of {inst['user']}", f"/forum/user/{re.escape(inst['user'])}"),
        url_ms("Go through every page of their posts", f"/forum/user/{re.escape(inst['user'])}\\?page=2"),
        answer_ms("Answer with the count")])


def _s303(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield site_goto(obs, f"/forum/user/{inst['user']}")
    n = 0
    while True:
        n += sum(1 for r in table_rows(obs) if r[1] == inst["forum"])
        if find(obs, "link", "Next") is None:
            break
        obs = yield from go(obs, "link", "Next")
    yield _stop(n)


_reg(303, "info", "How many posts has {{user}} submitted to the {{forum}} forum?", _i303, _b303, _s303)


# 304 --- info: score of a user's newest post in a forum (pages through the forum sorted by new)
def _i304(db: Database, rng: random.Random) -> list[dict[str, Any]]:
    rows = db.query("SELECT DISTINCT u.username, f.name FROM forum_posts p JOIN forum_users u ON u.id = p.user_id"
                    " JOIN forum_forums f ON f.id = p.forum_id WHERE u.id > 1 ORDER BY u.id, f.id")
    return [{"user": u, "forum": f} for u, f in _pick(rng, [tuple(r) for r in rows])]


def _b304(inst: dict[str, Any], db: Database) -> TaskSpec:
    score = db.scalar("SELECT p.score FROM forum_posts p JOIN forum_users u ON u.id = p.user_id JOIN forum_forums f"
                      " ON f.id = p.forum_id WHERE u.username = ? AND f.name = ? AND NOT p.deleted"
                      " ORDER BY p.created DESC, p.id DESC LIMIT 1", (inst["user"], inst["forum"]))
    f = re.escape(inst["forum"])
    return TaskSpec(f"{F}/", string_eval(score), [
        url_ms(f"Open the {inst['forum']} forum sorted by new", f"/forum/f/{f}\\?.*sort=new"),
        answer_ms(f"Answer with the score of the first post by {inst['user']}")])


def _s304(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield from go(obs, "link", inst["forum"])
    obs = yield from go(obs, "link", "New")
    while not any(r[1] == inst["user"] for r in table_rows(obs)):
        obs = yield from go(obs, "link", "Next")
    yield _stop(next(r[2] for r in table_rows(obs) if r[1] == inst["user"]))


_reg(304, "info", "What is the score of the most recent post by {{user}} in the {{forum}} forum?", _i304, _b304, _s304)


# 305 --- nav: newest posts of a forum (held out)
def _i305(db: Database, rng: random.Random) -> list[dict[str, Any]]:
    return [{"forum": f} for f in _pick(rng, _names(db, "SELECT name FROM forum_forums ORDER BY id"), 10)]


def _b305(inst: dict[str, Any], db: Database) -> TaskSpec:
    f = inst["forum"]
    return TaskSpec(f"{F}/", url_eval(f"{F}/f/{f}?sort=new"), [
        url_ms(f"Open the {f} forum", f"/forum/f/{re.escape(f)}\\b"),
        ms("Sort by new", {"kind": "url_now", "pattern": f"/forum/f/{re.escape(f)}\\?sort=new"})])


def _s305(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield from go(obs, "link", inst["forum"])
    obs = yield from go(obs, "link", "New")
    yield _stop()


_reg(305, "nav", "Show me the newest posts in the {{forum}} forum.", _i305, _b305, _s305, test_only=True)


# 306 --- nav: the profile of a post's author
def _b306(inst: dict[str, Any], db: Database) -> TaskSpec:
    author = db.scalar("SELECT u.username FROM forum_posts p JOIN forum_users u ON u.id = p.user_id WHERE p.title = ?",
                       (inst["title"],))
    return TaskSpec(f"{F}/", url_eval(f"{F}/user/{author}"), [
        url_ms("Open the post", _post_rx(db, inst["title"])),
        ms("Open its author's profile", {"kind": "url_now", "pattern": f"/forum/user/{re.escape(author)}$"})])


def _s306(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield from search_forum(obs, inst["title"])
    author = read(obs, r"StaticText 'Posted by'\n\s*\[\d+\] link '([^']+)'")
    obs = yield from go(obs, "link", author)
    yield _stop()


_reg(306, "nav", 'Open the profile page of the author of the post "{{title}}".', _i301, _b306, _s306)


# 307 --- state: upvote a post
def _b307(inst: dict[str, Any], db: Database) -> TaskSpec:
    p = _post_of(db, inst["title"])
    return TaskSpec(f"{F}/", html_eval(html_check(_post_url(db, inst["title"]), ["Your vote: upvoted"], "#my-vote")), [
        url_ms("Open the post", _post_rx(db, inst["title"])),
        db_ms("Upvote it", "SELECT COUNT(*) FROM forum_votes WHERE user_id = ? AND target = 'post' AND target_id = ?"
              " AND value = 1", ME, p["id"])])


def _s307(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield from search_forum(obs, inst["title"])
    obs = yield from go(obs, "button", "Upvote post")
    yield _stop()


_reg(307, "state", 'Upvote the post "{{title}}".', _i301, _b307, _s307)


# 308/309 --- state: subscribe to / unsubscribe from a forum
def _i308(db: Database, rng: random.Random) -> list[dict[str, Any]]:
    return [{"forum": f} for f in _pick(rng, _names(db, "SELECT name FROM forum_forums WHERE id NOT IN (SELECT forum_id"
                                                        " FROM forum_subscriptions WHERE user_id = ?) ORDER BY id", ME))]


def _i309(db: Database, rng: random.Random) -> list[dict[str, Any]]:
    return [{"forum": f} for f in _pick(rng, _names(db, "SELECT name FROM forum_forums WHERE id IN (SELECT forum_id"
                                                        " FROM forum_subscriptions WHERE user_id = ?) ORDER BY id", ME))]


def _sub_spec(forum: str, on: bool) -> TaskSpec:
    text = "You are subscribed" if on else "You are not subscribed"
    return TaskSpec(f"{F}/", html_eval(html_check(f"{F}/f/{forum}", [text], "#subscription")), [
        url_ms(f"Open the {forum} forum", f"/forum/f/{re.escape(forum)}\\b"),
        db_ms(("Subscribe to it" if on else "Unsubscribe from it"),
              f"SELECT {'' if on else 'NOT'} EXISTS(SELECT 1 FROM forum_subscriptions s JOIN forum_forums f"
              " ON f.id = s.forum_id WHERE s.user_id = ? AND f.name = ?)", ME, forum)])


def _s308(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield from go(obs, "link", inst["forum"])
    obs = yield from go(obs, "button", "Subscribe")
    yield _stop()


def _s309(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield from go(obs, "link", inst["forum"])
    obs = yield from go(obs, "button", "Unsubscribe")
    yield _stop()


_reg(308, "state", "Subscribe to the {{forum}} forum.", _i308, lambda i, db: _sub_spec(i["forum"], True), _s308)
_reg(309, "state", "Unsubscribe from the {{forum}} forum.", _i309, lambda i, db: _sub_spec(i["forum"], False), _s309)

from mira.arena.tasks import _forum_more  # noqa: E402,F401  (templates 310-399)
