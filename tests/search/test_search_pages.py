"""The header's search box on every page, the results page (escaped snippets, hits by kind, helpful empty
states), and GET /api/v1/search."""
from __future__ import annotations

import re
from html import unescape

import pytest
from flask import url_for

from tests import factories
from tests.search.speech import said, video_saying
from webapp import storage_keys
from webapp.extensions import db
from webapp.models import User
from webapp.services.search import indexer
from webapp.services.wiki import pages, spaces

HEADER_BOX = re.compile(r'<form class="header-search" id="header-search" method="get" action="/search" role="search">'
                        r'.*?<input type="search" id="header-search-q" name="q"', re.S)


@pytest.fixture
def me(client, auth):
    auth.signup(email="me@example.com", name="Me")
    return db.session.query(User).filter_by(email="me@example.com").one()


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {factories.token(user)}"}


def test_the_header_search_box_is_on_every_page(app, client, me):
    space = spaces.create(me, "Ops", "ops")
    page = pages.create(me, space, "Runbook", "steps")
    video = video_saying(me, "Retro", [said(1.0, "hello there")])
    with app.test_request_context():
        paths = {url_for("videos.watch", video_id=video.id), pages.url(page), "/v/no-such-video", "/search",
                 "/search?q=hello"}
        for rule in app.url_map.iter_rules():  # every page that needs no argument
            if "GET" in rule.methods and not rule.arguments and not rule.rule.startswith(("/api/", "/static")):
                paths.add(url_for(rule.endpoint))
    checked = 0
    for path in sorted(paths):
        r = client.get(path)
        if r.mimetype != "text/html" or r.status_code in (301, 302, 303):
            continue
        checked += 1
        assert HEADER_BOX.search(r.get_data(as_text=True)), f"no search box in the header of {path}"
    assert checked >= 8
    # On the results page the box holds what was searched for.
    assert 'value="hello"' in client.get("/search?q=hello").get_data(as_text=True)


def test_the_results_page_lists_hits_by_kind_with_escaped_snippets_and_times(client, me):
    space = spaces.create(me, "Ops", "ops")
    pages.create(me, space, "Budget <b>2027</b>", "The budget for [[Ops]] is <i>tight</i>.")
    video = video_saying(me, "Budget review <img src=x>", [
        said(1.0, "good morning everyone"),
        said(42.5, "<script>alert(1)</script> the budget is & stays tight"),
    ])
    indexer.run_once()
    r = client.get("/search?q=budget")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "<script>alert" not in html and "<img src=x>" not in html and "<b>2027" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<mark>budget</mark> is &amp; stays tight" in html
    assert "Budget &lt;b&gt;2027&lt;/b&gt;" in html
    # Sections by kind, each hit linking where it should; the transcript hit at its second, shown as m:ss.
    headings = re.findall(r'<h2 id="search-group-(\w+)">', html)
    assert headings == ["video", "transcript", "page"]
    transcript = html[html.index('id="search-group-transcript"'):html.index('id="search-group-page"')]
    assert f'href="/v/{video.id}?t=4' in transcript  # 42.5 s + five words of 0.4 s in
    assert "at 0:43" in transcript
    assert "3 results" in html


def test_the_results_page_shows_the_poster_and_the_storyboard_at_the_moment(client, me):
    video = video_saying(me, "Demo", [said(10.0, "look at the dashboard now")])
    prefix = storage_keys.renditions(video.id) + "abababababab-v2/"
    video.poster_key, video.storyboard_key = prefix + "poster.jpg", prefix + "storyboard.vtt"
    video.trim_start, video.trim_end, video.renditions_trim_start = 4.0, 60.0, None
    db.session.commit()
    indexer.run_once()
    html = client.get("/search?q=dashboard type:transcript").get_data(as_text=True)
    [item] = re.findall(r'<li class="search-hit search-hit-transcript">.*?</li>', html, re.S)
    assert re.search(r'<img src="/v/[^"]+/media/[^"]*poster.jpg"', item)
    # "dashboard" is said at 11.2 s of the source, 7.2 s into what plays (trimmed at 4 s); the storyboard of
    # the renditions, not rebuilt yet, still counts from the untrimmed start.
    assert 'data-at="11.200"' in item and "storyboard.vtt" in item
    assert "at 0:07" in item


def test_empty_no_result_and_refused_searches_say_what_to_do(client, me):
    html = client.get("/search").get_data(as_text=True)
    assert "Type a few words" in html and "type:video" in html
    html = unescape(client.get("/search?q=zebra+unicorn").get_data(as_text=True))
    assert "No results for “zebra unicorn”." in html and "Try fewer words" in html
    html = unescape(client.get("/search?q=zebra&type=page").get_data(as_text=True))
    assert "No results for “zebra” in wiki pages." in html and "Search everything instead" in html
    r = client.get("/search?q=zebra+type:films")
    assert r.status_code == 400
    assert "There is no type &#39;films&#39; to search: use video, transcript, screen or page." in r.get_data(as_text=True)
    assert client.get("/search?q=" + "x" * 600).status_code == 400
    assert client.get("/search?q=%ED%A0%80").status_code in (200, 400)  # a lone surrogate: never a 500


def test_search_asks_anonymous_visitors_to_log_in(client):
    assert client.get("/search?q=x").status_code == 302
    assert client.get("/api/v1/search?q=x").status_code == 401


def test_the_api_returns_ranked_hits_with_safe_snippets_and_times(app, client):
    user = factories.user()
    space = spaces.create(user, "Ops", "ops")
    pages.create(user, space, "Deploys", "We deploy on <Tuesdays> & Thursdays.")
    video = video_saying(user, "Deploy talk", [said(20.0, "every deploy starts with a checklist")])
    indexer.run_once()
    r = client.get("/api/v1/search?q=deploy&limit=10", headers=bearer(user))
    assert r.status_code == 200
    body = r.get_json()
    assert body["count"] == len(body["results"]) == 3 and body["query"] == "deploy"
    kinds = {h["kind"]: h for h in body["results"]}
    assert set(kinds) == {"page", "video", "transcript"}
    assert all(set(h) >= {"kind", "title", "snippet", "url", "score"} for h in body["results"])
    scores = [h["score"] for h in body["results"]]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    assert kinds["page"]["snippet"] == "We <mark>deploy</mark> on &lt;Tuesdays&gt; &amp; Thursdays."
    said_at = kinds["transcript"]
    assert said_at["url"] == f"/v/{video.id}?t=20" and said_at["time"] == pytest.approx(20.4)
    r = client.get("/api/v1/search?q=deploy&type=transcript,page", headers=bearer(user))
    assert sorted(h["kind"] for h in r.get_json()["results"]) == ["page", "transcript"]
    assert [h["kind"] for h in client.get("/api/v1/search?q=deploy+type:video&limit=1",
                                          headers=bearer(user)).get_json()["results"]] == ["video"]
    for bad, why in [("q=deploy&type=films", "no type"), ("q=deploy&limit=0", "limit"),
                     ("q=deploy&limit=x", "limit"), ("q=" + "y" * 600, "longer than")]:
        r = client.get(f"/api/v1/search?{bad}", headers=bearer(user))
        assert r.status_code == 400 and why in r.get_json()["error"], (bad, r.get_json())
    assert client.get("/api/v1/search?q=", headers=bearer(user)).get_json() == {
        "results": [], "count": 0, "query": "", "types": ["video", "transcript", "screen", "page"], "total": 0,
        "facets": {}, "next_cursor": None, "corrected_query": None}


def test_accents_are_folded_both_ways_and_the_snippet_marks_the_written_word(client, me):
    space = spaces.create(me, "Ops", "ops")
    pages.create(me, space, "Team lunch", "We meet at the café on Friday.")
    pages.create(me, space, "Naive plan", "A naive plan for the resume.")
    indexer.run_once()
    html = client.get("/search?q=cafe").get_data(as_text=True)
    assert "Team lunch" in html and "<mark>café</mark>" in html
    html = client.get("/search?q=CAFÉ").get_data(as_text=True)
    assert "Team lunch" in html
    html = client.get("/search?q=na%C3%AFve+r%C3%A9sum%C3%A9").get_data(as_text=True)  # "naïve résumé"
    assert "Naive plan" in html and "<mark>naive</mark>" in html
