"""The search benchmark's corpus: wiki pages and videos with transcripts, bulk inserted with SQLAlchemy core.

Words follow a Zipf-like law over a fixed vocabulary (about 300 real words of a software team first, then a long
tail of made-up but pronounceable ones), so a query can be common (thousands of documents) or rare (a handful).
Everything is seeded: two runs with the same --docs and --seed make the same corpus.
"""
from __future__ import annotations

import itertools
import json
import random
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import insert

COMMON = """deploy deployment deployed deploying release build server cache queue worker request latency database
index page video team review merge branch config secret token storage bucket upload render preview history revision
link space search answer question screen record share comment thread notify watch trash restore export import
customer invoice billing payment refund account login password session cookie header proxy network timeout retry
error failure incident outage alert metric dashboard graph trace span log logging monitor uptime backup snapshot
migration schema table column query transaction lock replica primary shard cluster node container image kubernetes
docker pipeline test tests testing coverage lint format style design mockup prototype sprint roadmap milestone goal
estimate budget hiring interview onboarding offboarding policy security audit compliance privacy consent contract
legal vendor license pricing plan quota limit feature flag experiment rollout rollback hotfix patch version
changelog feedback survey support ticket escalation triage priority severity owner reviewer approver manager
engineer designer analyst writer editor translator mobile android iphone browser chrome firefox safari desktop
keyboard shortcut accessibility contrast font colour layout sidebar menu button dialog modal toast tooltip
animation performance memory cpu disk bandwidth throughput benchmark profile flame chart report summary agenda
minutes notes decision action item follow blocker risk dependency handover weekly monthly quarterly annual
standup retro retrospective planning demo walkthrough tutorial guide runbook playbook checklist template glossary
faq spec proposal draft publish archive folder file attachment pdf spreadsheet slide presentation recording
transcript caption subtitle chapter thumbnail poster player volume speed fullscreen microphone camera webcam
bubble cursor highlight annotate mention reply reaction emoji inbox digest email webhook integration slack
calendar meeting invite schedule reminder deadline launch beta alpha stable nightly region zone latency europe
america asia tokyo berlin london paris sydney toronto office remote hybrid laptop monitor headset""".split()
STOP = "the a to of and is we for in on that it with this as be our at so then if or you they".split()
_ONSETS = "b c d f g h j k l m n p r s t v w z br cl dr fl gr pl st tr sh ch th".split()
_VOWELS = "a e i o u ai ea io ou".split()
_CODAS = ["", "", "n", "r", "l", "s", "t", "m", "nd", "rk", "st"]
KINDS = "runbook notes checklist design retro guide faq onboarding postmortem spec proposal plan".split()
VIDEO_KINDS = "demo walkthrough standup review update tutorial".split()
FIRST = "Alice Bruno Chen Dara Elif Farid Grace Hugo Ines Jonas Keiko Lena Marco Nadia Omar Priya Quinn Rosa Sam " \
        "Tariq Uma Victor Wen Ximena Yusuf Zoe Amara Bao Carmen Dmitri".split()
LAST = "Moreno Keller Nakamura Osei Petrov Silva Tanaka Unger Varga Weber".split()
WINDOW_SECONDS = 30.0  # as webapp.services.search.transcript_windows cuts them
PACE = 0.4  # seconds per spoken word


def vocabulary(size: int, rnd: random.Random) -> list[str]:
    """COMMON first (most frequent), then made-up words, all distinct and none a stop word."""
    words = list(dict.fromkeys(COMMON))
    seen = set(words) | set(STOP)
    while len(words) < size:
        w = "".join(rnd.choice(_ONSETS) + rnd.choice(_VOWELS) for _ in range(rnd.randint(2, 3))) + rnd.choice(_CODAS)
        if w not in seen:
            seen.add(w)
            words.append(w)
    return words


class Zipf:
    """Draws words with probability ~ 1 / rank**s."""

    def __init__(self, words: list[str], s: float = 1.05):
        self.words = words
        self.cum = list(itertools.accumulate(1.0 / (r ** s) for r in range(1, len(words) + 1)))

    def draw(self, rnd: random.Random, k: int) -> list[str]:
        return rnd.choices(self.words, cum_weights=self.cum, k=k)


def prose(rnd: random.Random, zipf: Zipf, n: int) -> list[str]:
    """n content words with stop words between them as in written or spoken sentences."""
    out = []
    stops = rnd.choices(STOP, k=n)
    for i, w in enumerate(zipf.draw(rnd, n)):
        if rnd.random() < 0.4:
            out.append(stops[i])
        out.append(w)
    return out


def sentences(words: list[str], rnd: random.Random) -> str:
    out, i = [], 0
    while i < len(words):
        n = rnd.randint(8, 18)
        chunk = words[i:i + n]
        out.append(" ".join(chunk).capitalize() + ".")
        i += n
    return " ".join(out)


@dataclass
class Corpus:
    reader_id: int
    their_space_ids: list[int]
    other_space_ids: list[int]
    pages: int = 0
    videos: int = 0
    windows: int = 0  # transcript windows, counted with the indexer's rule
    segments: int = 0
    words: int = 0
    private_of_others: set[str] = field(default_factory=set)  # video ids the reader must never be shown
    private_of_reader: int = 0
    people: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)  # page and video titles (for suggestion prefixes)
    phrases: list[str] = field(default_factory=list)  # two consecutive words that occur in some text
    vocab: list[str] = field(default_factory=list)

    @property
    def documents(self) -> int:
        return self.pages + self.videos + self.windows


def build(db, reader, total_docs: int, seed: int = 11, *, log=print) -> Corpus:
    """About `total_docs` index documents: 40% pages in 60 spaces (50 of them the reader's), the rest videos and
    their ~30 s transcript windows; 8% of videos private to other people, 2% private to the reader."""
    from webapp.models import Page, Space, Transcript, TranscriptSegment, User, Video
    from webapp.models.base import utcnow
    from webapp.services.wiki.names import slugify, title_key

    rnd = random.Random(seed)
    vocab = vocabulary(20000, rnd)
    zipf = Zipf(vocab)
    now = utcnow()

    people = [f"{f} {last}" for f, last in zip(FIRST, itertools.cycle(LAST), strict=False)]
    db.session.execute(insert(User), [
        {"email": f"{p.split()[0].lower()}.{i}@example.com", "display_name": p, "password_hash": "!",
         "created_at": now} for i, p in enumerate(people)])
    user_ids = list(db.session.scalars(db.select(User.id).where(User.id != reader.id).order_by(User.id)))
    authors, private_owners = user_ids[:24], user_ids[24:]

    space_rows = []
    for i in range(60):
        name = f"{vocab[i * 3 + 7].capitalize()} {vocab[i * 3 + 8]}"
        space_rows.append({"slug": f"{slugify(name)}-{i}", "name": name, "description": "",
                           "created_by_id": reader.id if i < 50 else private_owners[0], "created_at": now,
                           "titles_epoch": 0, "version": 0})
    db.session.execute(insert(Space), space_rows)
    space_ids = list(db.session.scalars(db.select(Space.id).order_by(Space.id)))
    corpus = Corpus(reader.id, space_ids[:50], space_ids[50:], vocab=vocab, people=people)

    n_pages = round(total_docs * 0.4)
    taken: set[tuple[int, str]] = set()
    rows = []
    for n in range(n_pages):
        space_id = space_ids[n % 60]
        title = f"{zipf.draw(rnd, 1)[0].capitalize()} {' '.join(zipf.draw(rnd, rnd.randint(1, 2)))} " \
                f"{rnd.choice(KINDS)}"
        while (space_id, title_key(title)) in taken:
            title += f" {rnd.randint(2, 99)}"
        taken.add((space_id, title_key(title)))
        body_words = prose(rnd, zipf, rnd.randint(100, 400))
        corpus.words += len(body_words)
        parts, i = [], 0
        for _ in range(rnd.randint(1, 4)):
            step = rnd.randint(40, 120)
            parts.append(f"## {' '.join(zipf.draw(rnd, rnd.randint(1, 3))).capitalize()}\n\n"
                         + sentences(body_words[i:i + step], rnd) + "\n")
            i += step
        if i < len(body_words):
            parts.append(sentences(body_words[i:], rnd) + "\n")
        if n % 97 == 0:  # two content words in a row (a phrase of stop words would be no phrase to the index)
            j = next(j for j in range(5, len(body_words) - 1) if not {*body_words[j:j + 2]} & set(STOP))
            corpus.phrases.append(" ".join(body_words[j:j + 2]))
        if n % 50 == 0:
            corpus.titles.append(title)
        author = authors[n % len(authors)]
        when = now - timedelta(minutes=n_pages - n)
        rows.append({"space_id": space_id, "parent_id": None, "position": n, "title": title,
                     "title_key": title_key(title), "slug": slugify(title), "body": "\n".join(parts), "revision": 1,
                     "is_template": False, "created_by_id": author, "created_at": when, "updated_by_id": author,
                     "updated_at": when})
        if len(rows) == 2000:
            db.session.execute(insert(Page), rows)
            rows = []
    if rows:
        db.session.execute(insert(Page), rows)
    corpus.pages = n_pages
    db.session.commit()
    log(f"  {n_pages} pages inserted")

    remaining = total_docs - n_pages
    videos, transcripts, segments = [], [], []

    def flush():
        for model, batch in ((Video, videos), (Transcript, transcripts), (TranscriptSegment, segments)):
            if batch:
                db.session.execute(insert(model), batch)
                batch.clear()

    while remaining >= 2:
        want = min(rnd.randint(4, 36), remaining - 1)
        vid = f"{rnd.getrandbits(64):016x}"[:11]
        roll = rnd.random()
        if roll < 0.08:
            owner, visibility = rnd.choice(private_owners), "private"
            corpus.private_of_others.add(vid)
        elif roll < 0.10:
            owner, visibility = reader.id, "private"
            corpus.private_of_reader += 1
        else:
            owner, visibility = authors[rnd.randrange(len(authors))], "team"
        title = f"{zipf.draw(rnd, 1)[0].capitalize()} {zipf.draw(rnd, 1)[0]} {rnd.choice(VIDEO_KINDS)}"
        if len(corpus.titles) < len(corpus.phrases) * 3:
            corpus.titles.append(title)
        t, count, window_start, position = 1.0, 0, None, 0
        while True:
            said = prose(rnd, zipf, rnd.randint(6, 14))
            end = t + len(said) * PACE
            if window_start is None or end - window_start > WINDOW_SECONDS:
                if count == want:
                    break
                count, window_start = count + 1, t
            words = [[round(t + i * PACE, 3), round(t + i * PACE + PACE * 0.9, 3), w] for i, w in enumerate(said)]
            segments.append({"video_id": vid, "position": position, "start": t, "end": round(end, 3),
                             "text": " ".join(said).capitalize() + ".", "words_json": json.dumps(words)})
            corpus.words += len(said)
            position += 1
            t = round(end + rnd.choice((0.2, 0.4, 0.8, 1.5)), 3)
        when = now - timedelta(minutes=remaining)
        videos.append({"id": vid, "owner_id": owner, "title": title, "description": " ".join(prose(rnd, zipf, 12)),
                       "visibility": visibility, "status": "ready", "progress": 100, "stage": "", "source_name":
                       "recording.webm", "source_sha1": "ab" * 20, "duration": t, "has_audio": True,
                       "has_video": True, "created_at": when, "updated_at": when, "ready_at": when})
        transcripts.append({"video_id": vid, "state": "done", "progress": 100, "model": "benchmark",
                            "origin": "auto", "source_sha1": "ab" * 20, "created_at": when, "updated_at": when})
        corpus.videos += 1
        corpus.windows += count
        corpus.segments += position
        remaining -= count + 1
        if len(segments) > 5000:
            flush()
    flush()
    db.session.commit()
    log(f"  {corpus.videos} videos with {corpus.segments} transcript segments inserted")
    return corpus
