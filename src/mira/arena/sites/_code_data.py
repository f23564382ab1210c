"""Word lists and the deterministic seeding of the code host: users, projects, files, commits, issues, MRs."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from mira.arena.db import NOW

DEFAULT_USERNAME = "byteblaze"
ROLES = ("Guest", "Reporter", "Developer", "Maintainer", "Owner")
LABELS = ("bug", "feature", "documentation", "enhancement", "question", "performance", "security",
          "good first issue", "help wanted", "accessibility")

USERS = [
    ("byteblaze", "Byte Blaze", "Open source tinkerer."), ("abisubramanya27", "Abishek S", "Compilers and coffee."),
    ("yjlou", "Yi-Jen Lou", "Frontend at heart."), ("vinta", "Vinta Chen", "Curating lists."),
    ("koush", "Koushik Dutta", "Android and streaming."), ("convexegg", "Convex Egg", "Math for fun."),
    ("kilian", "Kilian Valkhof", "Design tools."), ("jakep", "Jake Peters", "Infra and CI."),
    ("primer-bot", "Primer Bot", "Automations for Primer."), ("nadia-k", "Nadia Kowalski", "Data pipelines."),
    ("omar.h", "Omar Haddad", "Security reviews."), ("lena_m", "Lena Müller", "Docs and tests."),
    ("tmorgan", "Tess Morgan", "Rust and embedded."), ("rivera.dev", "Ana Rivera", "Mobile developer."),
    ("ikeda", "Ren Ikeda", "Performance engineer."), ("sofia.b", "Sofia Bianchi", "Accessibility advocate."),
    ("dmitri", "Dmitri Volkov", "Databases."), ("grace-o", "Grace Okafor", "Machine learning."),
    ("hugo_p", "Hugo Petit", "Web standards."), ("mei.lin", "Mei Lin", "Tooling and DX."),
    ("sam-ortiz", "Sam Ortiz", "Game engines."), ("priya.n", "Priya Nair", "Cloud native."),
    ("ben_w", "Ben Walker", "Release engineering."), ("ada-q", "Ada Quinn", "Type systems."),
    ("felix.z", "Felix Zhang", "Networking."), ("noor", "Noor Rahman", "UX research."),
    ("mateo", "Mateo Silva", "APIs and SDKs."), ("ellie.r", "Ellie Reed", "Open data."),
    ("arjun-k", "Arjun Kapoor", "Search engines."), ("zoe.t", "Zoe Turner", "Maps and geo."),
    ("kwame", "Kwame Mensah", "Payments."), ("ines_c", "Inês Costa", "Localization."),
]
# namespace, name, description, subjects for issue/commit text
PROJECTS = [
    ("a11yproject", "a11yproject.com", "The A11Y Project is a community-driven effort to make digital accessibility easier.", ["screen reader hints", "color contrast checker", "skip links", "focus outlines"]),
    ("a11yproject", "checklist", "An accessibility checklist for web content.", ["WCAG references", "checklist export", "heading rules", "alt text guide"]),
    ("primer", "design", "Design guidelines, principles and patterns for the Primer design system.", ["button tokens", "spacing scale", "icon sizes", "dark mode palette"]),
    ("primer", "octicons", "A scalable set of icons handcrafted for developers.", ["SVG sprites", "icon search", "build script", "React wrapper"]),
    ("kube-tools", "kubectl-plugins", "A collection of handy kubectl plugins.", ["context switcher", "log tailing", "namespace picker", "shell completion"]),
    ("kube-tools", "helm-lint", "Opinionated linting for Helm charts.", ["values schema", "chart templates", "CI output", "rule config"]),
    ("openmeteo", "forecast-api", "Open weather forecast API with hourly resolution.", ["hourly endpoint", "timezone handling", "rate limiter", "JSON schema"]),
    ("openmeteo", "geocoder", "Geocoding service for place names.", ["fuzzy matching", "postal codes", "bounding boxes", "cache layer"]),
    ("datawave", "etl-runner", "Lightweight ETL jobs with retries and lineage.", ["job scheduler", "retry policy", "lineage graph", "S3 connector"]),
    ("datawave", "csvkit-lite", "Fast CSV utilities for the command line.", ["column sniffing", "unicode handling", "stream mode", "stats command"]),
    ("pixelforge", "sprite-packer", "Packs sprites into texture atlases.", ["atlas padding", "trim transparent pixels", "JSON export", "CLI flags"]),
    ("pixelforge", "tilemap-editor", "A tile map editor for 2D games.", ["layer panel", "undo stack", "brush tool", "TMX import"]),
    ("byteblaze", "dotfiles", "My personal dotfiles for zsh, vim and tmux.", ["zsh prompt", "vim plugins", "tmux theme", "install script"]),
    ("byteblaze", "cloud-to-butt", "Chrome extension that replaces occurrences of \"the cloud\" with \"my butt\".", ["manifest v3", "text replacement", "options page", "store listing"]),
    ("byteblaze", "timetracker", "A tiny command-line time tracker.", ["report command", "CSV export", "idle detection", "config file"]),
    ("byteblaze", "accessible-html-content-patterns", "The full HTML5 Doctor element list with accessibility notes.", ["table patterns", "form labels", "ARIA notes", "landmarks"]),
    ("abisubramanya27", "tiny-compiler", "A compiler for a toy language, written to learn.", ["parser errors", "register allocation", "constant folding", "test suite"]),
    ("yjlou", "react-calendar", "A lightweight calendar component for React.", ["keyboard navigation", "locale support", "range selection", "theming"]),
    ("vinta", "awesome-python", "A curated list of awesome Python frameworks, libraries and resources.", ["link checker", "category order", "contribution guide", "dead links"]),
    ("koush", "scrypted-lite", "Home video integration platform.", ["camera discovery", "HomeKit bridge", "stream transcoding", "plugin API"]),
    ("kilian", "polypane-docs", "Documentation site for a developer browser.", ["search index", "screenshots", "changelog page", "sidebar"]),
    ("jakep", "ci-templates", "Reusable CI pipeline templates.", ["cache keys", "matrix builds", "artifact upload", "lint stage"]),
    ("nadia-k", "airflow-dags", "Example DAGs for data pipelines.", ["backfill", "sensor timeouts", "DAG docs", "secrets backend"]),
    ("tmorgan", "embedded-hal-demo", "Rust embedded HAL examples for microcontrollers.", ["I2C driver", "interrupts", "flash layout", "probe-rs setup"]),
    ("grace-o", "tiny-transformers", "Minimal transformer implementations for teaching.", ["attention masks", "tokenizer", "training loop", "notebooks"]),
    ("mei.lin", "lint-staged-lite", "Run linters on staged git files.", ["glob patterns", "partial staging", "config loader", "Windows paths"]),
    ("zoe.t", "map-tiles", "Vector map tile server.", ["tile cache", "style JSON", "zoom levels", "PostGIS queries"]),
    ("ellie.r", "open-transit", "Open transit timetables as data.", ["GTFS import", "stop search", "timetable diff", "API docs"]),
    ("arjun-k", "tiny-search", "A small full-text search engine.", ["BM25 scoring", "stemming", "index merge", "query parser"]),
    ("kwame", "ledger-sync", "Sync bank ledgers into plain-text accounting.", ["CSV importers", "duplicate detection", "currency rates", "rules engine"]),
]
ISSUE_TITLES = [
    "Crash when using {s}", "Add support for {s}", "Document {s}", "{S} is slow on large inputs",
    "Improve {s} error messages", "{S} breaks with {t}", "Refactor {s}", "Tests for {s} are flaky",
    "{S} ignores the config file", "Question: how does {s} interact with {t}?", "Update dependencies for {s}",
    "{S}: wrong output on Windows", "Security: validate input to {s}", "Keyboard focus lost in {s}",
    "Make {s} configurable", "Remove deprecated {s} option", "{S} regression since last release",
]
ISSUE_BODIES = [
    "Steps to reproduce: enable {s}, then run the default command. Expected it to finish, but it fails.",
    "It would be great if {s} worked together with {t}. Happy to send a merge request.",
    "The documentation for {s} does not mention {t}, which confused a few users.",
    "Profiling shows most of the time is spent in {s}. A cache might help.",
    "Since the last release {s} behaves differently. Bisected it to a recent commit.",
]
COMMITS = [
    "Fix typo in README", "Add {s}", "Refactor {s}", "Fix {s} when {t} is empty", "Update changelog",
    "Bump dependencies", "Improve tests for {s}", "Document {s}", "Speed up {s}", "Merge branch {b}",
    "Handle errors in {s}", "Clean up {s} code", "Rename {s} helpers", "Add CI job for {t}",
]
COMMENTS = [
    "I can reproduce this on the latest version.", "Thanks for the report! Looking into it.",
    "Could you share the full log?", "This is fixed on main, please try again.", "+1, same here.",
    "I think this is related to {s}.", "Would a patch for {t} be welcome?", "Closing as duplicate soon.",
]
BRANCHES = ["feature/{x}", "fix/{x}", "docs/{x}", "refactor/{x}"]


def _when(rng: random.Random, max_days: int) -> str:
    t = datetime.fromisoformat(NOW) - timedelta(minutes=rng.randrange(60, max_days * 24 * 60))
    return t.strftime("%Y-%m-%d %H:%M:%S")


def _fill(rng: random.Random, pattern: str, subjects: list[str], **extra: str) -> str:
    s, t = rng.sample(subjects, 2)
    return pattern.format(s=s, S=s[0].upper() + s[1:], t=t, **extra)


def _files(ns: str, name: str, desc: str, subjects: list[str]) -> list[tuple[str, str]]:
    slug = subjects[0].replace(" ", "_")
    return [
        ("README.md", f"# {name}\n\n{desc}\n\n## Features\n\n" + "".join(f"- {s}\n" for s in subjects)
         + f"\n## Install\n\n    git clone https://code.example/{ns}/{name}.git\n"),
        ("CONTRIBUTING.md", f"# Contributing to {name}\n\nOpen an issue first, then a merge request against main."
         " Run the tests before pushing.\n"),
        ("LICENSE", "MIT License\n\nPermission is hereby granted, free of charge, to any person obtaining a copy"
         " of this software.\n"),
        (f"src/{slug}.py", f'"""{subjects[0]} for {name}."""\n\n\ndef run(config):\n    return config.get("{slug}")\n'),
        (".gitignore", "__pycache__/\n*.log\nbuild/\n"),
    ]


INSERTS = {
    "projects": "INSERT INTO code_projects (id, namespace, name, description, stars, created) VALUES (?,?,?,?,?,?)",
    "files": "INSERT INTO code_files (project_id, path, content) VALUES (?, ?, ?)",
    "members": "INSERT INTO code_members (project_id, user_id, role) VALUES (?, ?, ?)",
    "branches": "INSERT INTO code_branches (project_id, name) VALUES (?, ?)",
    "commits": "INSERT INTO code_commits (project_id, sha, author_id, message, created) VALUES (?,?,?,?,?)",
    "issues": "INSERT INTO code_issues (id, project_id, iid, title, body, author_id, assignee_id, state, created)"
              " VALUES (?,?,?,?,?,?,?,?,?)",
    "labels": "INSERT INTO code_issue_labels (issue_id, label) VALUES (?, ?)",
    "comments": "INSERT INTO code_comments (issue_id, author_id, body, created) VALUES (?,?,?,?)",
    "mrs": "INSERT INTO code_mrs (project_id, iid, title, body, source, target, author_id, state, created)"
           " VALUES (?,?,?,?,?,?,?,?,?)",
}


def seed(db: Any, rng: random.Random) -> None:
    """Fill the code_ tables: 32 users, 30 projects, ~900 commits, ~550 issues, ~120 merge requests."""
    c = db.conn
    c.executemany("INSERT INTO code_users (id, username, name, bio, joined) VALUES (?, ?, ?, ?, ?)",
                  [(i + 1, u, n, b, _when(rng, 3000)) for i, (u, n, b) in enumerate(USERS)])
    uid = {u: i + 1 for i, (u, _, _) in enumerate(USERS)}
    n_users = len(USERS)
    rows: dict[str, list[tuple[Any, ...]]] = {k: [] for k in (
        "projects", "files", "members", "branches", "commits", "issues", "labels", "comments", "mrs")}
    for pid, (ns, name, desc, subjects) in enumerate(PROJECTS, start=1):
        rows["projects"].append((pid, ns, name, desc, 0, _when(rng, 1500)))
        rows["files"] += [(pid, p, t) for p, t in _files(ns, name, desc, subjects)]
        owner = uid.get(ns) or rng.randint(2, n_users)
        members = {owner: "Owner"}
        if pid % 2 == 1 or ns == DEFAULT_USERNAME:  # byteblaze maintains about half the projects
            members[1] = "Owner" if ns == DEFAULT_USERNAME else "Maintainer"
        for u in rng.sample(range(2, n_users + 1), rng.randint(3, 7)):
            members.setdefault(u, rng.choice(ROLES[:4]))
        rows["members"] += [(pid, u, r) for u, r in members.items()]
        devs = [u for u, r in members.items() if r in ("Developer", "Maintainer", "Owner")]
        branches = ["main"]
        for s in rng.sample(subjects, rng.randint(2, 4)):
            b = rng.choice(BRANCHES).format(x=s.replace(" ", "-").lower())
            if b not in branches:
                branches.append(b)
        rows["branches"] += [(pid, b) for b in branches]
        commits = sorted((_when(rng, 700), _fill(rng, rng.choice(COMMITS), subjects, b=rng.choice(branches)),
                          rng.choice(devs)) for _ in range(rng.randint(12, 48)))
        rows["commits"] += [(pid, f"{rng.getrandbits(160):040x}", a, m, t) for t, m, a in commits]
        titles: set[str] = set()
        for iid in range(1, rng.randint(8, 32) + 1):
            title = _fill(rng, rng.choice(ISSUE_TITLES), subjects)
            while title in titles:
                title = _fill(rng, rng.choice(ISSUE_TITLES), subjects) + f" ({rng.choice(subjects)})"
            titles.add(title)
            created = _when(rng, 600)
            closed = rng.random() < 0.35
            assignee = rng.choice(devs) if rng.random() < 0.6 else None
            issue_id = len(rows["issues"]) + 1
            rows["issues"].append((issue_id, pid, iid, title, _fill(rng, rng.choice(ISSUE_BODIES), subjects),
                                   rng.randint(1, n_users), assignee, "closed" if closed else "opened", created))
            rows["labels"] += [(issue_id, lb) for lb in rng.sample(LABELS, rng.choice([0, 1, 1, 2, 2, 3]))]
            rows["comments"] += [(issue_id, rng.randint(1, n_users), _fill(rng, rng.choice(COMMENTS), subjects),
                                  max(created, _when(rng, 300))) for _ in range(rng.choice([0, 0, 1, 1, 2, 3, 4]))]
        for iid, b in enumerate(branches[1:], start=1):
            state = rng.choice(["opened", "opened", "merged", "closed"])
            rows["mrs"].append((pid, iid, f"{b.split('/')[0].capitalize()}: {b.split('/', 1)[1].replace('-', ' ')}",
                                _fill(rng, rng.choice(ISSUE_BODIES), subjects), b, "main", rng.choice(devs), state,
                                _when(rng, 200)))
    for table, sql in INSERTS.items():
        c.executemany(sql, rows[table])
    stars = {(u, p) for u in range(1, n_users + 1) for p in rng.sample(range(1, len(PROJECTS) + 1), rng.randint(0, 9))}
    stars = {(u, p) for u, p in stars if not (u == 1 and p % 3 == 0)}  # leave byteblaze projects to star
    c.executemany("INSERT INTO code_stars (user_id, project_id) VALUES (?, ?)", sorted(stars))
    c.execute("UPDATE code_projects SET stars = (SELECT COUNT(*) FROM code_stars s WHERE s.project_id = id)"
              " + (id * 37) % 211")
