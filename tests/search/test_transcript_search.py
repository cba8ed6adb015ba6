"""What was said in a video is found at the second it was said: transcript windows in the index, read back from
the database, filtered by the video's visibility, in the trimmed video's time, equal after a rebuild."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from whoosh import fields, index

from tests import factories
from tests.search.speech import filler, said, transcribe, video_saying, word_start
from webapp.adapters import search_index
from webapp.errors import Invalid
from webapp.services import search, trims, videos
from webapp.services.search import documents, indexer
from webapp.services.wiki import pages, spaces

# Three minutes of talk: the sentences searched for sit in different windows of about 30 s.
SPEECH = sorted([
    *filler(0, 200),
    said(41.0, "first we rotate the signing keys of the release server"),
    said(97.5, "the quarterly forecast looks better than planned"),
    said(151.2, "remember to renew the wildcard certificate before friday"),
])


def t_of(hit) -> float:
    return float(parse_qs(urlsplit(hit.url).query)["t"][0])


def found(viewer, text, **kw):
    indexer.run_once()
    return search.search(viewer, text, **kw)


def test_a_phrase_said_in_a_video_is_found_at_the_second_it_was_said(stack_app):
    owner = factories.user()
    video = video_saying(owner, "Release retro", SPEECH)
    other = video_saying(owner, "Standup", [said(3.0, "nothing about money today")])
    hits = found(owner, '"quarterly forecast"')
    assert [(h.kind, h.id) for h in hits] == [("transcript", video.id)]
    [hit] = hits
    assert urlsplit(hit.url).path == f"/v/{video.id}"
    assert abs(t_of(hit) - word_start(SPEECH, "quarterly")) < 1.0
    assert hit.time == pytest.approx(word_start(SPEECH, "quarterly"))
    assert hit.title == "Release retro"
    assert "[[quarterly]] [[forecast]] looks better" in hit.snippet
    # Another sentence, in another window, links to its own second.
    [hit] = found(owner, "wildcard certificate")
    assert abs(t_of(hit) - word_start(SPEECH, "wildcard")) < 1.0
    # The video's name finds the video once, not each of its windows; type: words pick the kind.
    assert [(h.kind, h.id) for h in found(owner, "retro")] == [("video", video.id)]
    assert [h.kind for h in found(owner, "signing keys type:video")] == []
    assert [h.kind for h in found(owner, "signing keys type:transcript")] == ["transcript"]
    assert {h.id for h in found(owner, "money")} == {other.id}
    # One document per window of about 30 s, none longer.
    windows = [d for d in documents.documents_for(f"video:{video.id}") if d["kind"] == "transcript"]
    assert 5 <= len(windows) <= 8
    assert all(d["doc_id"] == f"transcript:{video.id}:{n}" for n, d in enumerate(windows))
    assert search_index.stored_fields(f"transcript:{video.id}:0")["parent"] == f"video:{video.id}"


def test_another_member_never_sees_a_private_videos_words_nor_their_count(stack_app):
    owner, member = factories.user(), factories.user()
    secret = video_saying(owner, "Board prep", [said(12.0, "the acquisition of globex closes in march")],
                          visibility="private")
    video_saying(owner, "All hands", [said(5.0, "we will talk about globex next week")])
    assert sorted(h.title for h in found(owner, "globex")) == ["All hands", "Board prep"]
    assert [h.title for h in found(member, "globex")] == ["All hands"]
    assert found(member, "acquisition") == []
    assert found(None, "globex") == []
    # Made private later: its words go with it at once, for every kind of hit.
    client = stack_app.test_client()
    token = factories.token(member)
    r = client.get("/api/v1/search?q=globex", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.get_json()["count"] == 1
    videos.update(owner, secret, visibility="team")
    assert sorted(h.title for h in found(member, "acquisition globex")) == ["All hands", "Board prep"]
    videos.update(owner, secret, visibility="private")
    r = client.get("/api/v1/search?q=acquisition&type=transcript", headers={"Authorization": f"Bearer {token}"})
    body = r.get_data(as_text=True)
    assert r.get_json()["count"] == 0 and "acquisition of" not in body and secret.id not in body


def test_after_a_trim_the_link_opens_the_trimmed_video_at_the_same_words(stack_app):
    owner = factories.user()
    video = video_saying(owner, "Release retro", SPEECH)
    quarterly, signing = word_start(SPEECH, "quarterly"), word_start(SPEECH, "signing")
    [hit] = found(owner, "quarterly forecast")
    assert abs(t_of(hit) - quarterly) < 1.0
    trims.set_trim(owner, video, 30.0, 160.0)
    [hit] = found(owner, "quarterly forecast")
    assert abs(t_of(hit) - (quarterly - 30.0)) < 1.0 and hit.time == pytest.approx(quarterly - 30.0)
    [hit] = found(owner, "signing keys")
    assert abs(t_of(hit) - (signing - 30.0)) < 1.0
    # What the trim cut off is no longer found (it is not in the video any more).
    trims.set_trim(owner, video, 60.0, 160.0)
    assert found(owner, "signing keys") == []


def test_a_new_transcript_replaces_every_window_of_the_old_one(stack_app):
    owner = factories.user()
    video = video_saying(owner, "Release retro", SPEECH)
    indexer.run_once()
    with search_index.exclusive_writer(wait=30) as writer:
        assert len([d for d in writer.doc_ids() if d.startswith("transcript:")]) >= 5
    transcribe(video, [said(2.0, "a much shorter take about the forecast")])
    assert [h.kind for h in found(owner, "forecast")] == ["transcript"]
    assert found(owner, "wildcard") == []
    with search_index.exclusive_writer(wait=30) as writer:
        assert {d for d in writer.doc_ids() if d.startswith("transcript:")} == {f"transcript:{video.id}:0"}
    video_id = video.id
    videos.delete(owner, video)
    assert found(owner, "forecast") == []
    with search_index.exclusive_writer(wait=30) as writer:
        assert not any(video_id in d for d in writer.doc_ids())


def _everything_found(viewer, queries):
    # Sorted: a rebuild drops the deleted documents' statistics, so equal scores may come in another order.
    return {q: sorted((h.kind, h.id, h.url, h.snippet) for h in search.search(viewer, q)) for q in queries}


def test_a_rebuild_gives_the_same_hits_as_incremental_indexing(stack_app):
    owner = factories.user()
    space = spaces.create(owner, "Ops", "ops")
    pages.create(owner, space, "Key rotation", "How we rotate the signing keys.")
    video_saying(owner, "Release retro", SPEECH)
    trimmed = video_saying(owner, "Planning", [said(5.0, "forecast for the next quarter"),
                                               said(50.0, "signing keys again")])
    trims.set_trim(owner, trimmed, 2.0, 120.0)
    queries = ["signing keys", "forecast", '"wildcard certificate"', "retro", "rotate type:page"]
    indexer.run_once()
    incremental = _everything_found(owner, queries)
    assert all(incremental.values())
    with search_index.exclusive_writer(wait=30) as writer:
        live = writer.doc_ids()
    assert indexer.request_rebuild().startswith("indexed ")
    assert _everything_found(owner, queries) == incremental
    with search_index.exclusive_writer(wait=30) as writer:
        assert writer.doc_ids() == live == {d["doc_id"] for d in documents.everything()}


OLD_SCHEMA = fields.Schema(  # the schema before transcripts: no parent, no start
    doc_id=fields.ID(stored=True, unique=True), kind=fields.ID(stored=True), space=fields.ID(stored=True),
    title=fields.TEXT(field_boost=3.0), headings=fields.TEXT(field_boost=2.0), body=fields.TEXT,
    author=fields.ID, updated=fields.DATETIME)


def test_an_index_written_with_the_old_schema_is_rebuilt_by_the_indexer(stack_app, caplog):
    owner = factories.user()
    path = search_index.index_dir()
    path.mkdir(parents=True, exist_ok=True)
    old = index.create_in(str(path), OLD_SCHEMA)
    w = old.writer()
    w.add_document(doc_id="page:999999", kind="page", title="Gone long ago", body="obsolete words")
    w.commit()
    assert search_index.search_ids("obsolete") == [("page:999999", "page")]
    video = video_saying(owner, "Release retro", SPEECH)
    with caplog.at_level("WARNING"):
        indexer.run_once()
    assert "older schema" in caplog.text
    assert [(h.kind, h.id) for h in search.search(owner, "quarterly forecast")] == [("transcript", video.id)]
    assert search_index.search_ids("obsolete") == []
    with search_index.exclusive_writer(wait=30) as writer:
        assert not writer.stale_schema


def test_unknown_types_and_overlong_searches_are_refused_with_a_reason(app):
    user = factories.user()
    with pytest.raises(Invalid, match="no type 'movies'"):
        search.search(user, "budget type:movies")
    with pytest.raises(Invalid, match="longer than"):
        search.search(user, "word " * 200)
    assert search.parse("budget  type:video,pages\tplan") == ("budget plan", ["video", "page"])
    # Query syntax people type by accident is a search for its words, never an error.
    for odd in ['"unclosed', "title:", "(((", "AND", "a*b~2^", "kind:(video"]:
        assert isinstance(found(user, odd), list)


def test_an_index_whose_words_were_not_accent_folded_is_rebuilt(app, caplog):
    """Same fields, other analysis: the old words would never match a folded query, so it is rebuilt too."""
    from webapp.services.wiki import pages, spaces

    owner = factories.user()
    unfolded = fields.Schema(**{name: (fields.TEXT(field_boost=f.format.field_boost) if isinstance(f, fields.TEXT) else f)
                                for name, f in search_index.SCHEMA.items()})
    path = search_index.index_dir()
    path.mkdir(parents=True, exist_ok=True)
    index.create_in(str(path), unfolded)
    space = spaces.create(owner, "Ops", "ops")
    pages.create(owner, space, "Team lunch", "We meet at the café.")
    with caplog.at_level("WARNING"):
        indexer.run_once()
    assert "older schema" in caplog.text
    assert [h.title for h in search.search(owner, "cafe")] == ["Team lunch"]


def test_an_index_whose_schema_names_analysis_code_that_is_gone_is_read_and_rebuilt(app, caplog):
    """Whoosh pickles the schema, analysis classes included: a folder written by a version whose filter class was
    since renamed must neither break searching nor stop the indexer."""
    import sys
    import types

    from whoosh import analysis

    from webapp.services.wiki import pages, spaces

    gone = types.ModuleType("parley_gone_analysis")

    class RetiredFilter(analysis.Filter):
        def __call__(self, tokens):
            yield from tokens

    RetiredFilter.__module__, RetiredFilter.__qualname__ = gone.__name__, "RetiredFilter"
    gone.RetiredFilter = RetiredFilter
    sys.modules[gone.__name__] = gone
    try:
        retired = fields.Schema(**{name: (fields.TEXT(analyzer=analysis.StandardAnalyzer() | RetiredFilter())
                                          if isinstance(f, fields.TEXT) else f)
                                   for name, f in search_index.SCHEMA.items()})
        path = search_index.index_dir()
        path.mkdir(parents=True, exist_ok=True)
        w = index.create_in(str(path), retired).writer()
        w.add_document(doc_id="page:999999", kind="page", title="Gone long ago", body="obsolete words")
        w.commit()
    finally:
        del sys.modules[gone.__name__]
    owner = factories.user()
    page = pages.create(owner, spaces.create(owner, "Ops", "ops"), "Runbook", "the quarterly forecast")
    assert search.search(owner, "forecast") == []  # readable (nothing of it is visible yet), not an error
    with caplog.at_level("WARNING"):
        indexer.run_once()
    assert "older schema" in caplog.text
    assert [h.id for h in search.search(owner, "forecast")] == [str(page.id)]
    assert search_index.search_ids("obsolete") == []
