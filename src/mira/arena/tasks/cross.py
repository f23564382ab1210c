"""Cross-site task templates (ids 500-599): read on one site, act on another (forum, code and the shop).

The agent starts on one site and reaches the other through `goto` (the portal at '/' links every site).
The shop is used only through its tables shop_products / shop_reviews and its public pages under /shop.
"""

from __future__ import annotations

import random
import re
from typing import Any
from urllib.parse import quote_plus

from mira.arena.db import Database
from mira.arena.oracle import OracleError, read, type_into
from mira.arena.tasks import TaskSpec, TaskTemplate, register
from mira.arena.tasks._fc import (
    Gen,
    db_ms,
    go,
    html_check,
    html_eval,
    ms,
    row_with,
    search_forum,
    site_goto,
    table_rows,
    url_ms,
)
from mira.arena.tasks.code import _pick, _pid, find_issue, issues_of, open_project
from mira.arena.tasks.forum import _names, _top_post, _unique_top_forums
from mira.types import Observation

F, C, S = "__FORUM__", "__CODE__", "__SHOP__"
ME = 1  # the account of both the forum and the code site
POST_SQL = ("SELECT COUNT(*) FROM forum_posts p JOIN forum_forums f ON f.id = p.forum_id WHERE p.user_id = ? AND"
            " f.name = ? AND p.title = ? AND p.body = ?")
ISSUE_SQL = "SELECT COUNT(*) FROM code_issues WHERE project_id = ? AND author_id = ? AND title = ?"


def _reg(tid: int, sites: tuple[str, ...], intent: str, instances: Any, build: Any, solve: Any,
         test_only: bool = False) -> None:
    register(TaskTemplate(tid, sites, intent, "state", instances, build, solve, test_only))


def _next_post(db: Database, forum: str) -> str:
    return f"{F}/f/{forum}/{int(db.scalar('SELECT MAX(id) FROM forum_posts')) + 1}"


def _next_issue(db: Database, project: str) -> str:
    iid = int(db.scalar("SELECT MAX(iid) FROM code_issues WHERE project_id = ?", (_pid(db, project),)) or 0) + 1
    return f"{C}/{project}/issues/{iid}"


def _forums(db: Database) -> list[str]:
    return _names(db, "SELECT name FROM forum_forums ORDER BY id")


def _create_post(obs: Observation, forum: str, title: str, body: str) -> Gen:
    obs = yield site_goto(obs, "/forum/")
    obs = yield from go(obs, "link", forum)
    obs = yield from go(obs, "link", f"Create a post in {forum}")
    obs = yield type_into(obs, "textbox", "Title", title)
    obs = yield type_into(obs, "textbox", "Body", body)
    obs = yield from go(obs, "button", "Create post")
    return obs


def _create_issue(obs: Observation, project: str, title: str, body: str) -> Gen:
    obs = yield site_goto(obs, "/code/")
    obs = yield from open_project(obs, project)
    obs = yield from go(obs, "link", "Issues")
    obs = yield from go(obs, "link", "New issue")
    obs = yield type_into(obs, "textbox", "Title", title)
    obs = yield type_into(obs, "textbox", "Description", body)
    obs = yield from go(obs, "button", "Create issue")
    return obs


def _post_task(db: Database, forum: str, title: str, body: str, first: dict[str, Any]) -> TaskSpec:
    return TaskSpec("", html_eval(html_check(_next_post(db, forum), [title, body])), [
        first, url_ms("Open the form to create a post", "/forum/submit"),
        db_ms(f"Create the post in {forum}", POST_SQL, ME, forum, title, body)])


# 500 --- code -> forum: post the title of an issue found by its number (pages through the issue list)
def _i500(db: Database, rng: random.Random) -> list[dict[str, Any]]:
    rows = db.query("SELECT p.namespace || '/' || p.name, i.iid FROM code_issues i JOIN code_projects p ON"
                    " p.id = i.project_id ORDER BY i.id")
    forums = _forums(db)
    return [{"project": p, "iid": iid, "forum": rng.choice(forums)}
            for p, iid in _pick(rng, [(r[0], r[1]) for r in rows])]


def _b500(inst: dict[str, Any], db: Database) -> TaskSpec:
    title = db.scalar("SELECT title FROM code_issues WHERE project_id = ? AND iid = ?",
                      (_pid(db, inst["project"]), inst["iid"]))
    body = f"Tracked in {inst['project']} issue {inst['iid']}"
    spec = _post_task(db, inst["forum"], title, body, ms(f"Find issue #{inst['iid']}", {"kind": "text",
                                                                                          "contains": title}))
    return TaskSpec(f"{C}/", spec.eval, spec.milestones)


def _s500(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield from open_project(obs, inst["project"])
    obs = yield from go(obs, "link", "Issues")
    obs = yield from go(obs, "link", "All")
    while not any(r[0] == f"#{inst['iid']}" for r in table_rows(obs)):
        obs = yield from go(obs, "link", "Next")
    title = row_with(obs, 0, f"#{inst['iid']}")[1]
    yield from _create_post(obs, inst["forum"], title, f"Tracked in {inst['project']} issue {inst['iid']}")
    yield "stop []"


_reg(500, ("code", "forum"), 'Create a post in the {{forum}} forum whose title is the title of issue #{{iid}} of the'
     ' project {{project}} and whose body is "Tracked in {{project}} issue {{iid}}".', _i500, _b500, _s500)


# 501 --- forum -> code: open an issue named after a forum's top post
def _i501(db: Database, rng: random.Random) -> list[dict[str, Any]]:
    projects = [r[0] for r in db.query("SELECT namespace || '/' || name FROM code_projects ORDER BY id")]
    return [{"forum": f, "project": rng.choice(projects)} for f in _pick(rng, _unique_top_forums(db))]


def _b501(inst: dict[str, Any], db: Database) -> TaskSpec:
    title = _top_post(db, inst["forum"])["title"]
    url = _next_issue(db, inst["project"])
    return TaskSpec(f"{F}/", html_eval(html_check(url, [title], "#issue-title"),
                                       html_check(url, ["Reported on the forum"], "#issue-body")), [
        url_ms(f"Sort the {inst['forum']} forum by top", f"/forum/f/{re.escape(inst['forum'])}\\?.*sort=top"),
        url_ms("Open the new issue form of the project", f"/code/{re.escape(inst['project'])}/issues/new"),
        db_ms("Create the issue", ISSUE_SQL, _pid(db, inst["project"]), ME, title)])


def _s501(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield from go(obs, "link", inst["forum"])
    obs = yield from go(obs, "link", "Top")
    title = table_rows(obs)[0][0]
    yield from _create_issue(obs, inst["project"], title, "Reported on the forum")
    yield "stop []"


_reg(501, ("forum", "code"), "Open an issue in the project {{project}} whose title is the title of the top post of"
     ' all time in the {{forum}} forum, with the description "Reported on the forum".', _i501, _b501, _s501)


# 502 --- code -> forum: comment a project's star count on a post
def _i502(db: Database, rng: random.Random) -> list[dict[str, Any]]:
    titles = _names(db, "SELECT title FROM forum_posts WHERE NOT deleted ORDER BY id")
    projects = [r[0] for r in db.query("SELECT namespace || '/' || name FROM code_projects ORDER BY id")]
    return [{"title": t, "project": p} for t, p in zip(_pick(rng, titles), _pick(rng, projects), strict=False)]


def _b502(inst: dict[str, Any], db: Database) -> TaskSpec:
    stars = db.scalar("SELECT stars FROM code_projects WHERE id = ?", (_pid(db, inst["project"]),))
    text = f"{inst['project']} has {stars} stars"
    post: Any = db.one("SELECT p.id, f.name FROM forum_posts p JOIN forum_forums f ON f.id = p.forum_id WHERE p.title = ?",
                  (inst["title"],))
    return TaskSpec(f"{F}/", html_eval(html_check(f"{F}/f/{post['name']}/{post['id']}", [text], "#comments")), [
        url_ms(f"Open the project {inst['project']}", f"/code/{re.escape(inst['project'])}$"),
        url_ms("Open the forum post", f"/forum/f/[^/]+/{post['id']}$"),
        db_ms("Post the comment", "SELECT COUNT(*) FROM forum_comments WHERE post_id = ? AND user_id = ? AND body = ?",
              post["id"], ME, text)])


def _s502(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield site_goto(obs, "/code/")
    obs = yield from open_project(obs, inst["project"])
    stars = read(obs, r"Stars: (\d+)")
    obs = yield site_goto(obs, "/forum/")
    obs = yield from search_forum(obs, inst["title"])
    obs = yield type_into(obs, "textbox", "Comment", f"{inst['project']} has {stars} stars")
    obs = yield from go(obs, "button", "Post comment")
    yield "stop []"


_reg(502, ("forum", "code"), 'Comment "{{project}} has N stars" on the forum post "{{title}}", where N is the number'
     " of stars of the project {{project}} on the code site.", _i502, _b502, _s502)


# 503 --- shop -> code: an issue that quotes a product's price
def _products(db: Database, rng: random.Random) -> list[str]:
    return _pick(rng, _names(db, "SELECT name FROM shop_products WHERE status = 'enabled' ORDER BY id"))


def _i503(db: Database, rng: random.Random) -> list[dict[str, Any]]:
    projects = [r[0] for r in db.query("SELECT namespace || '/' || name FROM code_projects ORDER BY id")]
    return [{"product": p, "project": rng.choice(projects)} for p in _products(db, rng)]


def _b503(inst: dict[str, Any], db: Database) -> TaskSpec:
    price = f"${float(db.scalar('SELECT price FROM shop_products WHERE name = ?', (inst['product'],))):,.2f}"
    title = f"Price check: {inst['product']}"
    url = _next_issue(db, inst["project"])
    return TaskSpec(f"{C}/", html_eval(html_check(url, [title], "#issue-title"), html_check(url, [price], "#issue-body")), [
        ms(f"Find {inst['product']} in the shop", {"kind": "text", "contains": inst["product"]}),
        url_ms("Open the new issue form of the project", f"/code/{re.escape(inst['project'])}/issues/new"),
        db_ms("Create the issue with the price", ISSUE_SQL + " AND body LIKE ?", _pid(db, inst["project"]), ME, title,
              f"%{price}%")])


def _shop_product(obs: Observation, product: str) -> Gen:
    obs = yield site_goto(obs, f"/shop/search?q={quote_plus(product)}")
    obs = yield from go(obs, "link", product)
    return obs


def _s503(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield from _shop_product(obs, inst["product"])
    price = read(obs, r"Price: (\$[\d,]+\.\d\d)")
    yield from _create_issue(obs, inst["project"], f"Price check: {inst['product']}", price)
    yield "stop []"


_reg(503, ("shop", "code"), 'Open an issue in {{project}} titled "Price check: {{product}}" whose description is the'
     " current price of {{product}} in the shop (as shown there, like $12.34).", _i503, _b503, _s503)


# 504 --- shop -> forum: repost the lowest-rated review of a product
def _i504(db: Database, rng: random.Random) -> list[dict[str, Any]]:
    rows = db.query("SELECT p.name FROM shop_products p WHERE p.status = 'enabled' AND (SELECT COUNT(*) FROM"
                    " shop_reviews r WHERE r.product_id = p.id AND r.status = 'approved' AND r.rating = (SELECT"
                    " MIN(rating) FROM shop_reviews r2 WHERE r2.product_id = p.id AND r2.status = 'approved')) = 1"
                    " AND (SELECT COUNT(*) FROM shop_reviews r WHERE r.product_id = p.id AND r.status = 'approved')"
                    " >= 2 ORDER BY p.id")
    forums = _forums(db)
    return [{"product": r[0], "forum": rng.choice(forums)} for r in _pick(rng, list(rows))]


def _b504(inst: dict[str, Any], db: Database) -> TaskSpec:
    body = db.scalar("SELECT r.body FROM shop_reviews r JOIN shop_products p ON p.id = r.product_id WHERE p.name = ?"
                     " AND r.status = 'approved' ORDER BY r.rating LIMIT 1", (inst["product"],))
    spec = _post_task(db, inst["forum"], f"Review of {inst['product']}", body,
                      ms(f"Open {inst['product']} in the shop", {"kind": "url", "pattern": "/shop/product/\\d+"}))
    return TaskSpec(f"{S}/", spec.eval, spec.milestones)


_REVIEW = re.compile(r"StaticText 'Rating: (\d) of 5\. By [^\n]*\n\s*\[\d+\] paragraph\n\s*StaticText '(.*)'$", re.M)


def _s504(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield from _shop_product(obs, inst["product"])
    reviews = sorted((int(m[1]), m[2]) for m in _REVIEW.finditer(obs.text))
    if not reviews:
        raise OracleError(f"no reviews readable on {obs.url}")
    yield from _create_post(obs, inst["forum"], f"Review of {inst['product']}", reviews[0][1])
    yield "stop []"


_reg(504, ("shop", "forum"), 'Create a post in the {{forum}} forum titled "Review of {{product}}" whose body is the'
     " text of the lowest-rated review of {{product}} in the shop.", _i504, _b504, _s504)


# 505 --- code -> forum (held out): repost an issue's title and description
def _i505(db: Database, rng: random.Random) -> list[dict[str, Any]]:
    forums = _forums(db)
    return [{"project": p, "title": t, "forum": rng.choice(forums)} for p, t in issues_of(db, rng, "1", 10)]


def _b505(inst: dict[str, Any], db: Database) -> TaskSpec:
    body = db.scalar("SELECT body FROM code_issues WHERE project_id = ? AND title = ?",
                     (_pid(db, inst["project"]), inst["title"]))
    spec = _post_task(db, inst["forum"], inst["title"], body, ms("Open the issue", {
        "kind": "url", "pattern": f"/code/{re.escape(inst['project'])}/issues/\\d+$"}))
    return TaskSpec(f"{C}/", spec.eval, spec.milestones)


def _s505(inst: dict[str, Any], obs: Observation) -> Gen:
    obs = yield from find_issue(obs, inst["project"], inst["title"], "All")
    body = read(obs, r"(?m)StaticText 'Assignee: [^\n]*\n\s*\[\d+\] paragraph\n\s*StaticText '(.*)'$")
    yield from _create_post(obs, inst["forum"], inst["title"], body)
    yield "stop []"


_reg(505, ("code", "forum"), 'Share the issue "{{title}}" of {{project}} in the {{forum}} forum: a post with the'
     " issue title as its title and the issue description as its body.", _i505, _b505, _s505, test_only=True)

