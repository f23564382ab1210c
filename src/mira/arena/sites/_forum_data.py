"""Word lists and the deterministic seeding of the forum: forums, users, posts, comments, subscriptions."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from mira.arena.db import NOW

DEFAULT_USERNAME = "MarvelsGrantMan136"

# name, description, subjects people post about (no forum name is a substring of another)
FORUMS: list[tuple[str, str, list[str]]] = [
    ("books", "Readers discussing novels, non-fiction and everything in between",
     ["Dune", "The Left Hand of Darkness", "audiobooks", "e-readers", "library holds", "Project Hail Mary",
      "poetry collections", "used bookstores", "Middlemarch", "book clubs", "The Overstory", "annotating books"]),
    ("movies", "Films old and new, reviews and recommendations",
     ["Oppenheimer", "film noir", "the Criterion Collection", "Studio Ghibli", "director cuts", "Alien",
      "silent films", "movie soundtracks", "Past Lives", "70mm screenings", "Heat", "documentaries"]),
    ("music", "Albums, gigs, instruments and playlists",
     ["vinyl pressings", "Radiohead", "jazz standards", "home recording", "Kind of Blue", "live albums",
      "synthesizers", "concert tickets", "bass guitars", "Fleetwood Mac", "music theory", "headphones"]),
    ("gaming", "Video games on every platform",
     ["Elden Ring", "speedrunning", "Hollow Knight", "indie roguelikes", "Stardew Valley", "controller drift",
      "retro consoles", "Baldurs Gate 3", "co-op games", "game preservation", "Celeste", "save files"]),
    ("technology", "Gadgets, software and the tech industry",
     ["mechanical keyboards", "USB-C hubs", "password managers", "home servers", "e-ink tablets",
      "smart thermostats", "mesh Wi-Fi", "right to repair", "NAS drives", "laptop batteries", "Linux phones",
      "open hardware"]),
    ("science", "Research news and explanations",
     ["CRISPR", "dark matter", "peer review", "fusion reactors", "the microbiome", "plate tectonics",
      "quantum sensors", "coral bleaching", "sleep research", "exoplanet atmospheres", "mRNA vaccines",
      "ice cores"]),
    ("space", "Rockets, telescopes and the night sky",
     ["the James Webb telescope", "Starship", "Europa Clipper", "lunar landers", "the Perseverance rover",
      "meteor showers", "amateur telescopes", "the ISS", "solar eclipses", "Artemis II", "Kuiper belt objects",
      "astrophotography"]),
    ("history", "The past, sources and historiography",
     ["the Roman Republic", "medieval guilds", "the Silk Road", "the printing press", "Byzantium",
      "the Hanseatic League", "primary sources", "the Meiji era", "Viking trade", "ancient Egypt",
      "the Industrial Revolution", "old maps"]),
    ("cooking", "Recipes, techniques and kitchen gear",
     ["sourdough starters", "cast iron pans", "ramen broth", "knife sharpening", "meal prep", "pressure cookers",
      "homemade pasta", "fermented hot sauce", "sheet pan dinners", "braised short ribs", "spice blends",
      "dumplings"]),
    ("fitness", "Training, running and staying healthy",
     ["couch to 5k", "deadlift form", "rest days", "kettlebells", "marathon training", "protein intake",
      "mobility routines", "rowing machines", "pull-up progressions", "running shoes", "zone 2 cardio",
      "home gyms"]),
    ("travel", "Trips, tips and places to go",
     ["rail passes", "Lisbon", "carry-on packing", "travel insurance", "Kyoto in autumn", "hostels",
      "layovers", "Patagonia", "budget airlines", "the Iceland ring road", "travel adapters", "night trains"]),
    ("photography", "Cameras, lenses and photos",
     ["prime lenses", "film cameras", "street photography", "Lightroom presets", "tripods", "golden hour",
      "mirrorless bodies", "long exposures", "portrait lighting", "camera bags", "macro shots", "RAW editing"]),
    ("diy", "Building, fixing and making things at home",
     ["drywall patches", "cordless drills", "workbench plans", "leaky faucets", "laminate flooring",
      "shelf brackets", "wood stain", "tile grout", "stud finders", "garage storage", "paint sprayers",
      "deck repairs"]),
    ("gardening", "Plants, soil and growing food",
     ["tomato blight", "raised beds", "compost bins", "native wildflowers", "seed starting", "pruning roses",
      "houseplants", "rain barrels", "garlic planting", "aphids", "potato towers", "mulch"]),
    ("personalfinance", "Budgets, saving and investing",
     ["index funds", "emergency funds", "student loans", "high-yield savings", "credit scores",
      "budgeting apps", "retirement accounts", "car loans", "side income", "rent vs buy", "tax refunds",
      "insurance deductibles"]),
    ("programming", "Writing software, languages and tools",
     ["Rust lifetimes", "code review", "unit tests", "Python type hints", "regular expressions", "Git rebase",
      "memory leaks", "SQL indexes", "Vim keybindings", "async runtimes", "technical debt", "Docker images"]),
    ("MachineLearning", "Research and practice of machine learning",
     ["transformers", "learning rate schedules", "LoRA fine-tuning", "benchmark contamination",
      "reinforcement learning", "tokenizers", "GPU memory", "evaluation harnesses", "diffusion models",
      "data deduplication", "mixture of experts", "reward models"]),
    ("pittsburgh", "News and talk about Pittsburgh",
     ["the incline", "Primanti Brothers", "bike lanes", "the Steelers", "Schenley Park", "the T", "pierogies",
      "the Strip District", "potholes", "Kennywood", "the Pirates", "bridges"]),
    ("nyc", "New York City life",
     ["the subway", "bodega cats", "rent stabilization", "Central Park", "bagels", "the Q train",
      "apartment hunting", "street fairs", "Citi Bike", "ferry rides", "pizza slices", "noise complaints"]),
    ("consoles", "Consoles, handhelds and their accessories",
     ["the Steam Deck", "Switch joycons", "PS5 fans", "Xbox Game Pass", "handheld emulators", "HDMI 2.1",
      "console storage", "the Analogue Pocket", "cartridges", "controller batteries", "backwards compatibility",
      "CRT TVs"]),
]

TITLES = [
    "Best {s} for beginners?", "Anyone else tried {s}?", "My experience with {s} after {n} months",
    "Is {s} worth it in 2026?", "{S} vs {t}: which do you prefer?", "Unpopular opinion: {s} is overrated",
    "Need help with {s}", "Looking for {s} recommendations", "TIL something surprising about {s}",
    "Weekly discussion thread: {s}", "What got you into {s}?", "A beginner guide to {s}",
    "Finally tried {s} and {t} this weekend", "Why is nobody talking about {s}?", "{S}: a {n}-year retrospective",
    "Changed my mind about {s}", "Question about {s} and {t}", "Hot take on {s}",
]
SENTENCES = [
    "I have been thinking about {s} for a while now.", "Honestly {s} surprised me more than I expected.",
    "A friend recommended {s} and I am not sure where to start.", "The community wiki on {s} is outdated.",
    "Compared to {t}, {s} feels a lot more approachable.", "I spent about {n} hours on {s} last month.",
    "Does anyone have a good resource on {s}?", "My main complaint is the price.",
    "The learning curve was steeper than I thought.", "I wrote up some notes and can share them.",
    "Curious what the rest of you think.", "Edit: thanks for all the replies so far!",
    "There is a local meetup about {t} next week.", "I keep coming back to {s} every few years.",
]
COMMENTS = [
    "Great write-up, thanks for sharing.", "I had the exact same experience with {s}.",
    "Strongly disagree, {t} is much better.", "Have you looked at the sidebar? It covers {s}.",
    "This is the kind of post I joined for.", "Can you share a link to the source?",
    "Took me {n} tries to get it right.", "Underrated comment right here.", "Same here, {s} changed my routine.",
    "I would add that {t} matters just as much.", "Not sure this belongs in this forum.",
    "Saving this for later.", "Counterpoint: it depends on your budget.", "Thanks, this finally clicked for me.",
    "Been doing this for {n} years and still learning.", "Fair point, but what about {t}?",
]
USER_A = ["quiet", "lucky", "crimson", "sleepy", "cosmic", "rusty", "frosty", "brave", "silver", "mellow",
          "wild", "gentle", "curious", "salty", "sunny", "amber"]
USER_B = ["falcon", "otter", "panda", "badger", "comet", "maple", "harbor", "pixel", "cactus", "lynx",
          "walrus", "quill", "pepper", "heron", "bison", "tulip"]


def _when(rng: random.Random, max_days: int) -> str:
    t = datetime.fromisoformat(NOW) - timedelta(minutes=rng.randrange(30, max_days * 24 * 60))
    return t.strftime("%Y-%m-%d %H:%M:%S")


def _fill(rng: random.Random, pattern: str, subjects: list[str]) -> str:
    s, t = rng.sample(subjects, 2)
    return pattern.format(s=s, S=s[0].upper() + s[1:], t=t, n=rng.randint(2, 14))


def seed(db: Any, rng: random.Random) -> None:
    """Fill the forum_ tables: 20 forums, 48 users, ~700 posts, ~2000 comments (deterministic from rng)."""
    names = [DEFAULT_USERNAME]
    while len(names) < 48:
        u = f"{rng.choice(USER_A)}_{rng.choice(USER_B)}{rng.randint(1, 99)}"
        if u not in names:
            names.append(u)
    users = [(i + 1, u, _when(rng, 2000)) for i, u in enumerate(names)]
    db.conn.executemany("INSERT INTO forum_users (id, username, joined) VALUES (?, ?, ?)", users)
    forums = [(i + 1, n, d) for i, (n, d, _) in enumerate(FORUMS)]
    db.conn.executemany("INSERT INTO forum_forums (id, name, description) VALUES (?, ?, ?)", forums)
    posts: list[tuple[Any, ...]] = []
    comments: list[tuple[Any, ...]] = []
    titles: set[str] = set()
    for fid, (_, _, subjects) in enumerate(FORUMS, start=1):
        for _ in range(rng.randint(28, 42)):
            title = _fill(rng, rng.choice(TITLES), subjects)
            while title in titles:
                title = _fill(rng, rng.choice(TITLES), subjects)
            titles.add(title)
            author = 1 if rng.random() < 0.03 else rng.randint(2, len(names))
            body = " ".join(_fill(rng, rng.choice(SENTENCES), subjects) for _ in range(rng.randint(2, 4)))
            pid = len(posts) + 1
            posts.append((pid, fid, author, title, body, _when(rng, 420), int(rng.paretovariate(1.1) * 4) - 3))
            top_ids: list[int] = []
            for _ in range(rng.choice([0, 1, 2, 2, 3, 3, 4, 5, 6])):
                cid = len(comments) + 1
                parent = rng.choice(top_ids) if top_ids and rng.random() < 0.35 else None
                if parent is None:
                    top_ids.append(cid)
                text = _fill(rng, rng.choice(COMMENTS), subjects)
                comments.append((cid, pid, parent, rng.randint(2, len(names)), text, _when(rng, 30),
                                 rng.randint(-3, 40)))
    # a stable created order: comments after their post
    db.conn.executemany("INSERT INTO forum_posts (id, forum_id, user_id, title, body, created, score)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?)", posts)
    db.conn.executemany("INSERT INTO forum_comments (id, post_id, parent_id, user_id, body, created, score)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?)", comments)
    subs = [(1, f) for f in rng.sample(range(1, len(FORUMS) + 1), 10)]
    subs += [(rng.randint(2, len(names)), f) for f in range(1, len(FORUMS) + 1) for _ in range(rng.randint(3, 9))]
    db.conn.executemany("INSERT OR IGNORE INTO forum_subscriptions (user_id, forum_id) VALUES (?, ?)", subs)
