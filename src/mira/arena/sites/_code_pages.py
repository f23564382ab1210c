"""The code site's issues and merge requests (registered on mira.arena.sites.code.router)."""

from __future__ import annotations

from typing import Any

from mira.arena.db import NOW
from mira.arena.sites.code import (
    LABELS,
    Invalid,
    clean_text,
    like,
    page,
    paged,
    project,
    require_manager,
    require_user,
    router,
)
from mira.arena.web import HTTPError, Request, Response

STATES = {"opened": "Open", "closed": "Closed", "all": "All"}
MR_STATES = {"opened": "Open", "merged": "Merged", "closed": "Closed", "all": "All"}


def _issue(req: Request, p: dict[str, Any]) -> dict[str, Any]:
    row = req.db.one("SELECT i.*, a.username AS author, s.username AS assignee FROM code_issues i"
                     " JOIN code_users a ON a.id = i.author_id LEFT JOIN code_users s ON s.id = i.assignee_id"
                     " WHERE i.project_id = ? AND i.iid = ?", (p["id"], req.params["iid"]))
    if row is None:
        raise HTTPError(404, f"there is no issue #{req.params['iid']} in {p['namespace']}/{p['name']}")
    labels = [r[0] for r in req.db.query("SELECT label FROM code_issue_labels WHERE issue_id = ? ORDER BY label",
                                         (row["id"],))]
    return dict(row) | {"labels": labels}


def _assignable(req: Request, p: dict[str, Any]) -> list[str]:
    return [r[0] for r in req.db.query("SELECT u.username FROM code_members m JOIN code_users u ON u.id = m.user_id"
                                       " WHERE m.project_id = ? ORDER BY u.username", (p["id"],))]


def _labels_and_assignee(req: Request, p: dict[str, Any]) -> tuple[list[str], int | None]:
    """The checked labels and the chosen assignee's id of an issue form; Invalid when one is not offered."""
    labels = [lb for lb in LABELS if req.form.get(f"label-{lb}")]
    name = req.arg("assignee")
    if not name:
        return labels, None
    if name not in _assignable(req, p):
        raise Invalid(f"Assignee must be a member of the project, got {name[:60]!r}.")
    return labels, int(req.db.scalar("SELECT id FROM code_users WHERE username = ?", (name,)))


@router.route("/<str:ns>/<str:proj>/issues")
def issues(req: Request) -> Response:
    p = project(req)
    state, label, q = req.arg("state") or "opened", req.arg("label"), req.arg("q")[:200]
    if state not in STATES:
        raise HTTPError(400, f"state must be one of {', '.join(STATES)}, got {state[:40]!r}")
    if label and label not in LABELS:
        raise HTTPError(400, f"label must be one of {', '.join(LABELS)}, got {label[:40]!r}")
    where, params = ["i.project_id = ?"], [p["id"]]
    if state != "all":
        where.append("i.state = ?")
        params.append(state)
    if label:
        where.append("EXISTS (SELECT 1 FROM code_issue_labels l WHERE l.issue_id = i.id AND l.label = ?)")
        params.append(label)
    if q:
        where.append("i.title LIKE ? ESCAPE '\\'")
        params.append(like(q))
    rows, pg, more = paged(req, "SELECT i.*, s.username AS assignee, (SELECT group_concat(label, ', ') FROM"
                           " (SELECT label FROM code_issue_labels l WHERE l.issue_id = i.id ORDER BY label)) AS labels"
                           " FROM code_issues i LEFT JOIN code_users s ON s.id = i.assignee_id WHERE "
                           + " AND ".join(where) + " ORDER BY i.iid DESC", tuple(params))
    total = req.db.scalar("SELECT COUNT(*) FROM code_issues i WHERE " + " AND ".join(where), tuple(params))
    return page(req, "issues.html", p=p, issues=rows, state=state, label=label, q=q, pg=pg, more=more,
                total=total, states=STATES, labels=LABELS)


def _issue_form(req: Request, p: dict[str, Any], issue: dict[str, Any] | None, status: int = 200,
                **ctx: Any) -> Response:
    vals = ctx.pop("vals", None) or {"title": "", "body": "", "labels": issue["labels"] if issue else [],
                                     "assignee": (issue["assignee"] or "") if issue else ""}
    return page(req, "issue_form.html", status, p=p, issue=issue, vals=vals, labels=LABELS,
                assignable=_assignable(req, p), **ctx)


@router.route("/<str:ns>/<str:proj>/issues/new", methods=("GET", "POST"))
def new_issue(req: Request) -> Response:
    p = project(req)
    user = require_user(req)
    if req.method == "GET":
        return _issue_form(req, p, None)
    vals = {"title": req.arg("title")[:300], "body": req.arg("body")[:10000],
            "labels": [lb for lb in LABELS if req.form.get(f"label-{lb}")], "assignee": req.arg("assignee")[:60]}
    try:
        title = clean_text(req.arg("title"), "Title", 200)
        body = clean_text(req.arg("body"), "Description", 10000) if req.arg("body") else ""
        labels, assignee = _labels_and_assignee(req, p)
    except Invalid as e:
        return _issue_form(req, p, None, 400, vals=vals, error=str(e))
    iid = (req.db.scalar("SELECT MAX(iid) FROM code_issues WHERE project_id = ?", (p["id"],)) or 0) + 1
    issue_id = req.db.execute("INSERT INTO code_issues (project_id, iid, title, body, author_id, assignee_id, state,"
                              " created) VALUES (?, ?, ?, ?, ?, ?, 'opened', ?)",
                              (p["id"], iid, title, body, user["id"], assignee, NOW))
    for lb in labels:
        req.db.execute("INSERT INTO code_issue_labels VALUES (?, ?)", (issue_id, lb))
    return Response.redirect(req.url(f"{p['path']}/issues/{iid}", msg=f"Issue #{iid} created."))


def _issue_page(req: Request, p: dict[str, Any], issue: dict[str, Any], status: int = 200, **ctx: Any) -> Response:
    comments = req.db.query("SELECT c.*, u.username FROM code_comments c JOIN code_users u ON u.id = c.author_id"
                            " WHERE issue_id = ? ORDER BY created, c.id", (issue["id"],))
    ctx.setdefault("draft", "")
    return page(req, "issue.html", status, p=p, issue=issue, comments=comments, **ctx)


@router.route("/<str:ns>/<str:proj>/issues/<int:iid>")
def issue_page(req: Request) -> Response:
    p = project(req)
    return _issue_page(req, p, _issue(req, p))


@router.route("/<str:ns>/<str:proj>/issues/<int:iid>/comment", methods=("POST",))
def issue_comment(req: Request) -> Response:
    p = project(req)
    user = require_user(req)
    issue = _issue(req, p)
    try:
        body = clean_text(req.arg("body"), "Comment", 5000)
    except Invalid as e:
        return _issue_page(req, p, issue, 400, error=str(e), draft=req.arg("body")[:5000])
    req.db.execute("INSERT INTO code_comments (issue_id, author_id, body, created) VALUES (?, ?, ?, ?)",
                   (issue["id"], user["id"], body, NOW))
    return Response.redirect(req.url(f"{p['path']}/issues/{issue['iid']}", msg="Comment added."))


@router.route("/<str:ns>/<str:proj>/issues/<int:iid>/state", methods=("POST",))
def issue_state(req: Request) -> Response:
    p = project(req)
    require_user(req)
    issue = _issue(req, p)
    action = req.arg("action")
    if action not in ("close", "reopen"):
        raise HTTPError(400, f"action must be close or reopen, got {action[:40]!r}")
    state = "closed" if action == "close" else "opened"
    req.db.execute("UPDATE code_issues SET state = ? WHERE id = ?", (state, issue["id"]))
    return Response.redirect(req.url(f"{p['path']}/issues/{issue['iid']}",
                                     msg=f"Issue #{issue['iid']} {'closed' if state == 'closed' else 'reopened'}."))


@router.route("/<str:ns>/<str:proj>/issues/<int:iid>/edit", methods=("GET", "POST"))
def issue_edit(req: Request) -> Response:
    p = project(req)
    require_user(req)
    issue = _issue(req, p)
    if req.method == "GET":
        return _issue_form(req, p, issue)
    try:
        labels, assignee = _labels_and_assignee(req, p)
    except Invalid as e:
        return _issue_form(req, p, issue, 400, error=str(e))
    req.db.execute("DELETE FROM code_issue_labels WHERE issue_id = ?", (issue["id"],))
    for lb in labels:
        req.db.execute("INSERT INTO code_issue_labels VALUES (?, ?)", (issue["id"], lb))
    req.db.execute("UPDATE code_issues SET assignee_id = ? WHERE id = ?", (assignee, issue["id"]))
    return Response.redirect(req.url(f"{p['path']}/issues/{issue['iid']}", msg="Issue updated."))


@router.route("/<str:ns>/<str:proj>/merge_requests")
def mrs(req: Request) -> Response:
    p = project(req)
    state = req.arg("state") or "opened"
    if state not in MR_STATES:
        raise HTTPError(400, f"state must be one of {', '.join(MR_STATES)}, got {state[:40]!r}")
    where = "m.project_id = ?" + ("" if state == "all" else " AND m.state = ?")
    params = (p["id"],) if state == "all" else (p["id"], state)
    rows, pg, more = paged(req, "SELECT m.*, u.username FROM code_mrs m JOIN code_users u ON u.id = m.author_id"
                           f" WHERE {where} ORDER BY m.iid DESC", params)
    return page(req, "mrs.html", p=p, mrs=rows, state=state, states=MR_STATES, pg=pg, more=more)


def _branches(req: Request, p: dict[str, Any]) -> list[str]:
    return [r[0] for r in req.db.query("SELECT name FROM code_branches WHERE project_id = ? ORDER BY name != 'main',"
                                       " name", (p["id"],))]


@router.route("/<str:ns>/<str:proj>/merge_requests/new", methods=("GET", "POST"))
def new_mr(req: Request) -> Response:
    p = project(req)
    user = require_user(req)
    branches = _branches(req, p)
    vals = {k: req.arg(k)[:300] for k in ("source", "target", "title", "body")}
    if req.method == "GET":
        return page(req, "mr_form.html", p=p, branches=branches, vals=vals | {"target": vals["target"] or "main"})
    try:
        if vals["source"] not in branches or vals["target"] not in branches:
            raise Invalid("Choose a source and a target branch from the lists.")
        if vals["source"] == vals["target"]:
            raise Invalid("The source and target branches must differ.")
        title = clean_text(req.arg("title"), "Title", 200)
        body = clean_text(req.arg("body"), "Description", 10000) if req.arg("body") else ""
    except Invalid as e:
        return page(req, "mr_form.html", 400, p=p, branches=branches, vals=vals, error=str(e))
    iid = (req.db.scalar("SELECT MAX(iid) FROM code_mrs WHERE project_id = ?", (p["id"],)) or 0) + 1
    req.db.execute("INSERT INTO code_mrs (project_id, iid, title, body, source, target, author_id, state, created)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?, 'opened', ?)",
                   (p["id"], iid, title, body, vals["source"], vals["target"], user["id"], NOW))
    return Response.redirect(req.url(f"{p['path']}/merge_requests/{iid}", msg=f"Merge request !{iid} created."))


def _mr(req: Request, p: dict[str, Any]) -> Any:
    row = req.db.one("SELECT m.*, u.username FROM code_mrs m JOIN code_users u ON u.id = m.author_id"
                     " WHERE m.project_id = ? AND m.iid = ?", (p["id"], req.params["iid"]))
    if row is None:
        raise HTTPError(404, f"there is no merge request !{req.params['iid']} in {p['namespace']}/{p['name']}")
    return row


@router.route("/<str:ns>/<str:proj>/merge_requests/<int:iid>")
def mr_page(req: Request) -> Response:
    p = project(req)
    return page(req, "mr.html", p=p, mr=_mr(req, p))


@router.route("/<str:ns>/<str:proj>/merge_requests/<int:iid>/state", methods=("POST",))
def mr_state(req: Request) -> Response:
    p = project(req)
    mr = _mr(req, p)
    action = req.arg("action")
    if action not in ("merge", "close", "reopen"):
        raise HTTPError(400, f"action must be merge, close or reopen, got {action[:40]!r}")
    if action == "merge":
        require_manager(req, p)
    else:
        require_user(req)
    if mr["state"] == "merged":
        raise HTTPError(400, "this merge request is already merged")
    state = {"merge": "merged", "close": "closed", "reopen": "opened"}[action]
    req.db.execute("UPDATE code_mrs SET state = ? WHERE id = ?", (state, mr["id"]))
    return Response.redirect(req.url(f"{p['path']}/merge_requests/{mr['iid']}", msg=f"Merge request {state}."))


@router.route("/<str:ns>/<str:proj>/<str:kind>/<str:bad>")
def bad_number(req: Request) -> Response:
    """Issue and merge request numbers are whole numbers; say so instead of 'not found'."""
    if req.params["kind"] in ("issues", "merge_requests"):
        raise HTTPError(400, f"{req.params['kind'].replace('_', ' ')} are numbered; got {req.params['bad'][:40]!r}")
    raise HTTPError(404, f"no page at {req.site_prefix}{req.path}")
