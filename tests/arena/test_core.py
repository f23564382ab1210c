"""The arena core: routing, request parsing, per-episode state, milestone progress."""

from __future__ import annotations

import io
import json
import urllib.request

import pytest

from mira.arena.db import Database, fresh_db
from mira.arena.env import substitute
from mira.arena.milestones import CheckContext, update_progress, validate_check
from mira.arena.server import ArenaServer
from mira.arena.web import MAX_BODY, HTTPError, Request, Router, parse_body


def _req(path: str, method: str = "GET") -> Request:
    return Request(method, path, {}, {}, {}, site_prefix="/x")


def test_router_converts_params_and_refuses_unknown() -> None:
    r = Router()

    @r.route("/item/<int:iid>/<slug>")
    def item(req: Request) -> str:
        return f"{req.params['iid'] + 1}-{req.params['slug']}"

    assert r.dispatch(_req("/item/41/blue-mat")).body == "42-blue-mat"
    with pytest.raises(HTTPError) as e:
        r.dispatch(_req("/item/abc/x"))
    assert e.value.status == 404
    with pytest.raises(HTTPError) as e:
        r.dispatch(_req("/item/1/x", method="POST"))
    assert e.value.status == 405


@pytest.mark.parametrize(("raw", "status"), [("abc", 400), ("1e5", 400), ("'; DROP TABLE x;--", 400)])
def test_int_arg_rejects_non_numbers(raw: str, status: int) -> None:
    req = Request("GET", "/", {"page": raw}, {}, {})
    with pytest.raises(HTTPError) as e:
        req.int_arg("page", 1)
    assert e.value.status == status and "page" in e.value.message


def test_int_arg_clamps() -> None:
    req = Request("GET", "/", {"page": "999"}, {}, {})
    assert req.int_arg("page", 1, lo=1, hi=20) == 20


def test_parse_body_refuses_huge_posts() -> None:
    environ = {"CONTENT_LENGTH": str(MAX_BODY + 1), "wsgi.input": io.BytesIO(b"")}
    with pytest.raises(HTTPError) as e:
        parse_body(environ)
    assert e.value.status == 413


def test_fresh_db_copies_are_isolated() -> None:
    a, b = fresh_db(), fresh_db()
    a.execute("INSERT INTO sessions (token, site, user_id) VALUES ('t', 's', 1)")
    assert a.scalar("SELECT COUNT(*) FROM sessions WHERE token='t'") == 1
    assert b.scalar("SELECT COUNT(*) FROM sessions WHERE token='t'") == 0
    assert fresh_db().scalar("SELECT COUNT(*) FROM sessions WHERE token='t'") == 0


def test_servers_do_not_share_state_and_reset_restores() -> None:
    with ArenaServer() as s1, ArenaServer() as s2:
        s1.db.execute("INSERT INTO sessions (token, site, user_id) VALUES ('k', 's', 1)")
        assert s2.db.scalar("SELECT COUNT(*) FROM sessions") == 0
        s1.reset()
        assert s1.db.scalar("SELECT COUNT(*) FROM sessions") == 0
        with urllib.request.urlopen(s1.base_url + "/") as resp:
            assert resp.status == 200 and b"Arena" in resp.read()


def test_unknown_site_is_a_404_page() -> None:
    with ArenaServer() as s, pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(s.base_url + "/nowhere/at/all")
    assert e.value.code == 404


def _ctx(db: Database, url: str = "/", visited: tuple[str, ...] = (), text: str = "", success: bool | None = None) -> CheckContext:
    return CheckContext(db=db, url=url, visited=visited, text=text, success=success)


CHECKS = [
    {"kind": "url", "pattern": r"^/shop/search\?q="},
    {"kind": "text", "contains": "Blue Mat"},
    {"kind": "answer"},
]


@pytest.mark.parametrize(
    ("z", "ctx_kwargs", "expected"),
    [
        ([False, False, False], {}, [False, False, False]),
        ([False, False, False], {"visited": ("/shop/search?q=mat",)}, [True, False, False]),
        # several at once, in order
        ([False, False, False], {"visited": ("/shop/search?q=mat",), "text": "a blue mat"}, [True, True, False]),
        # a later check holding does not count before the earlier ones
        ([False, False, False], {"text": "Blue Mat", "success": True}, [False, False, False]),
        # reached stays reached
        ([True, True, False], {}, [True, True, False]),
        ([True, True, False], {"success": True}, [True, True, True]),
    ],
)
def test_update_progress_is_ordered_and_monotone(z: list[bool], ctx_kwargs: dict, expected: list[bool]) -> None:
    db = fresh_db()
    assert update_progress(z, CHECKS, _ctx(db, **ctx_kwargs)) == expected


def test_db_check_reads_the_episode_state() -> None:
    db = fresh_db()
    check = [{"kind": "db", "sql": "SELECT COUNT(*) FROM sessions WHERE token = ?", "params": ["z"]}]
    assert update_progress([False], check, _ctx(db)) == [False]
    db.execute("INSERT INTO sessions (token, site, user_id) VALUES ('z', 's', 1)")
    assert update_progress([False], check, _ctx(db)) == [True]


@pytest.mark.parametrize("spec", [{"kind": "nope"}, {"kind": "url"}, {"kind": "db", "sql": 3}, {}])
def test_validate_check_names_the_problem(spec: dict) -> None:
    with pytest.raises(ValueError, match="milestone check"):
        validate_check(spec)


def test_substitute_placeholders_everywhere() -> None:
    cfg = {"start_url": "__SHOP__/", "eval": {"reference_url": "__SHOP_ADMIN__/order/3 |OR| __SHOP__/cart"}}
    out = substitute(cfg, "http://127.0.0.1:9")
    assert out["start_url"] == "http://127.0.0.1:9/shop/"
    assert out["eval"]["reference_url"] == "http://127.0.0.1:9/admin/order/3 |OR| http://127.0.0.1:9/shop/cart"


def test_shipped_task_file_is_current() -> None:
    """The task file in the package is what the templates generate (rebuild: `mira arena build-tasks`)."""
    import json

    from mira.arena.db import template
    from mira.arena.suite import load_task_file
    from mira.arena.tasks import generate_tasks

    shipped = load_task_file()
    fresh = json.loads(json.dumps(generate_tasks(Database(template()))))
    assert shipped == fresh, "src/mira/arena/data/tasks.json is stale: run `mira arena build-tasks`"


def test_task_file_shape_meets_the_arena_bar() -> None:
    from collections import Counter

    from mira.arena.suite import load_task_file

    tasks = load_task_file()
    templates = {t["intent_template_id"] for t in tasks}
    train_t = {t["intent_template_id"] for t in tasks if t["split"] == "train"}
    test_t = {t["intent_template_id"] for t in tasks if t["split"] == "test"}
    assert len(templates) >= 60 and len(tasks) >= 600
    assert test_t == templates, "test holds unseen instances of every template"
    assert templates - train_t, "some templates are only in test"
    ids = [(t["intent_template_id"], json.dumps(t["instantiation_dict"], sort_keys=True)) for t in tasks]
    assert len(set(ids)) == len(ids), "no instance appears twice (train and test never share one)"
    sites = Counter(s for t in tasks for s in t["sites"])
    assert set(sites) == {"shop", "shop_admin", "forum", "code"}
    for t in tasks:
        assert {"task_id", "sites", "intent", "intent_template", "instantiation_dict", "start_url", "require_login",
                "eval"} <= set(t)
        assert {"eval_types", "reference_answers", "reference_url", "program_html"} <= set(t["eval"])
        assert 2 <= len(t["milestones"]) <= 6
