"""What the results show beside the hits: counts per kind and per space, suggestions as you type, a correction
for a misspelled word, the last word as a prefix, pages of results by cursor, a page hit at its heading, and
recent things slightly ahead. None of it may count, suggest or spell what the viewer may not open."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from tests import factories
from tests.conftest import Auth
from tests.search.speech import said, video_saying
from webapp.errors import Invalid
from webapp.extensions import db
from webapp.services import search
from webapp.services.search import indexer
from webapp.services.search.suggestions import suggest
from webapp.services.wiki import pages, spaces


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {factories.token(user)}"}


@pytest.fixture
def people(app):
    alice = factories.user("alice@example.com", name="Alice Smith")
    bob = factories.user("bob@example.com", name="Bob Jones")
    admin = factories.user("root@example.com", name="Root", admin=True)
    return alice, bob, admin


def test_counts_per_kind_and_space_are_of_what_the_viewer_may_open(app, client, people):
    alice, bob, admin = people
    eng, ops = spaces.create(alice, "Engineering", "eng"), spaces.create(alice, "Ops", "ops")
    pages.create(alice, eng, "Failover plan", "the failover runs nightly")
    pages.create(alice, eng, "Failover drill", "failover drill notes")
    pages.create(alice, ops, "Ops failover", "ops failover")
    video_saying(alice, "Failover demo", [said(1.0, "the failover went fine")])
    video_saying(bob, "Secret failover", [said(1.0, "our private failover plans")], visibility="private")
    indexer.run_once()

    mine = search.run(alice, "failover", facets=True)
    assert mine.facets["kind"] == {"page": 3, "video": 1, "transcript": 1}
    assert mine.facets["space"] == {"eng": 2, "ops": 1}
    assert mine.total == 5
    assert "Secret failover" not in {h.title for h in mine.hits}
    # Bob's private video counts for Bob and for admins only.
    assert search.run(bob, "failover", facets=True).facets["kind"]["video"] == 2
    assert search.run(admin, "failover", facets=True).facets["kind"] == {"page": 3, "video": 2, "transcript": 2}
    # Choosing a kind keeps the counts of the others (they are what choosing them would show).
    only_pages = search.run(alice, "failover", kinds=["page"], facets=True)
    assert {h.kind for h in only_pages.hits} == {"page"} and only_pages.total == 3
    assert only_pages.facets["kind"]["video"] == 1

    body = client.get("/api/v1/search", query_string={"q": "failover"}, headers=bearer(alice)).get_json()
    assert body["facets"]["kind"] == {"page": 3, "video": 1, "transcript": 1} and body["total"] == 5

    html = client.get("/search", query_string={"q": "failover"}, headers=bearer(alice)).get_data(as_text=True)
    shown = dict(re.findall(r'data-(?:kind|space)="(\w+)"[^>]*>\s*<span class="search-facet-name">[^<]*</span>'
                            r'<span class="search-facet-count">(\d+)', html))
    assert shown == {"video": "1", "transcript": "1", "page": "3", "eng": "2", "ops": "1"}
    assert "Secret failover" not in html and "private failover" not in html


def test_suggestions_as_you_type_show_titles_and_people_the_viewer_may_see(app, client, people):
    alice, bob, _ = people
    eng = spaces.create(alice, "Engineering", "eng")
    pages.create(alice, eng, "Déploiement runbook", "steps")
    pages.create(alice, eng, "Deploy checklist", "steps")
    video_saying(alice, "Deploy demo", [said(1.0, "hello")])
    video_saying(bob, "Deploy secrets", [said(1.0, "hidden")], visibility="private")
    indexer.run_once()

    got = suggest(alice, "depl")  # accents folded: "Déploiement" begins with "depl" too
    assert {(s.kind, s.title) for s in got} == {("page", "Deploy checklist"), ("video", "Deploy demo"),
                                                 ("page", "Déploiement runbook")}
    assert [s.title for s in suggest(alice, "deploie")] == ["Déploiement runbook"]  # accents folded
    assert [s.title for s in suggest(alice, "deploy che")] == ["Deploy checklist"]  # every word a beginning
    assert {s.title for s in suggest(bob, "deploy")} >= {"Deploy secrets"}  # the owner sees their own
    assert suggest(alice, "d") == []  # under two characters: nothing yet
    assert "Deploy secrets" not in {s.title for s in suggest(alice, "deploy s")}
    assert [s.detail for s in suggest(alice, "deploy che")] == ["Engineering"]
    person = [s for s in suggest(alice, "bob") if s.kind == "person"]
    assert [(p.title, p.detail) for p in person] == [("Bob Jones", "bob@example.com")]
    assert person[0].url.endswith("/search?q=from%3Abob")
    assert [s.title for s in suggest(alice, "jon") if s.kind == "person"] == ["Bob Jones"]  # a later word

    r = client.get("/api/v1/search/suggest", query_string={"q": "depl"}, headers=bearer(alice))
    assert r.status_code == 200
    assert {s["title"] for s in r.get_json()["suggestions"]} == {"Deploy checklist", "Deploy demo",
                                                                  "Déploiement runbook"}
    r = client.get("/api/v1/search/suggest", query_string={"q": "x" * 101}, headers=bearer(alice))
    assert r.status_code == 400 and "first 100 characters" in r.get_json()["error"]


def test_a_misspelled_word_is_searched_as_the_nearest_word_the_viewer_can_find(app, client, people):
    alice, bob, _ = people
    eng = spaces.create(alice, "Engineering", "eng")
    pages.create(alice, eng, "Kubernetes upgrade", "how we upgrade the cluster")
    video_saying(bob, "Private", [said(1.0, "the zeppelin project is secret")], visibility="private")
    indexer.run_once()

    found = search.run(alice, "kubernetis upgrade")
    assert [h.title for h in found.hits] == ["Kubernetes upgrade"]
    found = search.run(alice, "kubernetis")
    assert found.corrected == "kubernetes" and [h.title for h in found.hits] == ["Kubernetes upgrade"]
    assert search.run(alice, "kubernetis", exact=True).hits == []
    # A word only a private video holds is never offered to someone who may not see it.
    assert search.run(alice, "zepelin").corrected is None
    assert search.run(bob, "zepelin").corrected == "zeppelin"
    body = client.get("/api/v1/search", query_string={"q": "kubernetis"}, headers=bearer(alice)).get_json()
    assert body["corrected_query"] == "kubernetes" and body["count"] == 1

    html = client.get("/search", query_string={"q": "kubernetis"}, headers=bearer(alice)).get_data(as_text=True)
    assert "Showing results for" in html and "kubernetes" in html and "exact=1" in html


def test_the_last_word_also_finds_longer_words_it_begins(app, people):
    alice, _, _ = people
    eng = spaces.create(alice, "Engineering", "eng")
    pages.create(alice, eng, "Deployment guide", "how to ship")
    indexer.run_once()
    assert [h.title for h in search.search(alice, "guide deplo")] == ["Deployment guide"]
    assert [h.title for h in search.search(alice, "deplo")] == ["Deployment guide"]


def test_results_come_in_pages_by_cursor_with_nothing_twice(app, client, people):
    alice, _, _ = people
    eng = spaces.create(alice, "Engineering", "eng")
    for i in range(23):
        pages.create(alice, eng, f"Note {i}", f"retention policy number {i}")
    indexer.run_once()
    seen, cursor, rounds = [], None, 0
    while True:
        args = {"q": "retention", "limit": 10, **({"cursor": cursor} if cursor else {})}
        body = client.get("/api/v1/search", query_string=args, headers=bearer(alice)).get_json()
        seen += [r["title"] for r in body["results"]]
        assert body["total"] == 23
        cursor, rounds = body["next_cursor"], rounds + 1
        if not cursor:
            break
    assert rounds == 3 and len(seen) == 23 and len(set(seen)) == 23
    first = client.get("/api/v1/search", query_string={"q": "retention", "limit": 10}, headers=bearer(alice))
    other = client.get("/api/v1/search", query_string={"q": "policy", "cursor": first.get_json()["next_cursor"]},
                       headers=bearer(alice))
    assert other.status_code == 400 and "cursor" in other.get_json()["error"]
    for bad in ["nope", "e30", "!!!"]:
        r = client.get("/api/v1/search", query_string={"q": "retention", "cursor": bad}, headers=bearer(alice))
        assert r.status_code == 400
    with pytest.raises(Invalid):
        search.run(alice, "retention", cursor="e30")


def test_a_page_hit_opens_at_the_heading_of_the_section_that_matched(app, client, people):
    alice, _, _ = people
    eng = spaces.create(alice, "Engineering", "eng")
    body = ("Intro text.\n\n## Install\n\nRun the installer.\n\n## Roll *back*\n\nUse the rollback lever.\n\n"
            "## Roll back\n\nSecond one mentions the quokka.\n")
    page = pages.create(alice, eng, "Operations", body)
    indexer.run_once()
    (hit,) = search.search(alice, "lever")
    assert hit.url.endswith("#h-roll-back")
    (hit,) = search.search(alice, "quokka")
    assert hit.url.endswith("#h-roll-back_1")
    (hit,) = search.search(alice, "intro")
    assert "#" not in hit.url
    html = client.get(pages.url(page), headers=bearer(alice)).get_data(as_text=True)
    assert re.search(r'<h2 id="h-roll-back_1"', html) and re.search(r'<h2 id="h-roll-back"', html)


def test_of_two_equal_matches_the_recently_changed_one_comes_first(app, people):
    alice, _, _ = people
    eng = spaces.create(alice, "Engineering", "eng")
    old = pages.create(alice, eng, "Alpha notes", "the gazebo plan")
    pages.create(alice, eng, "Beta notes", "the gazebo plan")
    old.updated_at = datetime.utcnow() - timedelta(days=400)
    db.session.commit()
    indexer.request_rebuild()
    assert [h.title for h in search.search(alice, "gazebo")] == ["Beta notes", "Alpha notes"]


def test_views_are_counted_once_per_session_and_much_watched_videos_come_first(app, people):
    alice, bob, _ = people
    quiet = video_saying(alice, "Quiet walrus", [said(1.0, "hello")])
    popular = video_saying(alice, "Popular walrus", [said(1.0, "hello")])
    indexer.run_once()
    # Equal matches, changed the same day: the index's order (the first written first) until people watch.
    assert [h.title for h in search.search(bob, "walrus type:video")] == ["Quiet walrus", "Popular walrus"]
    viewers = [factories.user(f"viewer{i}@example.com") for i in range(4)]
    for who in viewers:
        client = app.test_client()
        Auth(client).login(who.email)
        for _ in range(2):  # a reload in the same session is one view
            html = client.get(f"/v/{popular.id}").get_data(as_text=True)
    assert ">4 views<" in html
    owner = app.test_client()
    Auth(owner).login(alice.email)
    owner.get(f"/v/{quiet.id}")  # the owner's own watch does not count
    db.session.expire_all()
    assert (db.session.get(type(quiet), quiet.id).view_count, db.session.get(type(popular), popular.id).view_count) \
        == (0, 4)
    indexer.run_once()
    assert [h.title for h in search.search(bob, "walrus type:video")] == ["Popular walrus", "Quiet walrus"]
