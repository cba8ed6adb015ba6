"""A video's watch page lists the wiki pages that cite it, at their moments, and offers a page from the video."""
import shutil

from tests import factories
from webapp.adapters import search_index
from webapp.services import search


def test_watch_page_lists_pages_citing_the_video(app, client):
    owner = factories.user("owner@example.com")
    video = factories.video(owner, "Deploy walkthrough")
    headers = {"Authorization": f"Bearer {factories.token(owner)}"}
    assert client.post("/api/v1/spaces", json={"name": "Engineering", "slug": "eng"}, headers=headers).status_code == 201
    body = f"See {{{{video:{video.id} t=1:30}}}} and [the fix](/v/{video.id}?t=125)."
    r = client.post("/api/v1/spaces/eng/pages", json={"title": "Runbook", "body": body}, headers=headers)
    assert r.status_code == 201, r.get_json()

    html = client.get(f"/v/{video.id}", headers=headers).get_data(as_text=True)
    section = html[html.index('id="citations"'):]
    assert "Runbook" in section
    assert "1:30" in section and "2:05" in section
    assert f"/v/{video.id}?t=90" in section
    assert f"/w/-/from-video/{video.id}" in section


def test_watch_page_says_when_nothing_cites_the_video(app, client):
    owner = factories.user("owner2@example.com")
    video = factories.video(owner, "Lonely video")
    headers = {"Authorization": f"Bearer {factories.token(owner)}"}
    html = client.get(f"/v/{video.id}", headers=headers).get_data(as_text=True)
    assert "No wiki page cites this video yet." in html


def test_reindex_command_rebuilds_the_index_from_the_database(app, client):
    owner = factories.user("ix@example.com")
    headers = {"Authorization": f"Bearer {factories.token(owner)}"}
    client.post("/api/v1/spaces", json={"name": "Ops", "slug": "ops"}, headers=headers)
    client.post("/api/v1/spaces/ops/pages", json={"title": "Backups", "body": "nightly snapshots"}, headers=headers)
    shutil.rmtree(search_index.index_dir(), ignore_errors=True)  # the index is derived: lose it entirely
    out = app.test_cli_runner().invoke(args=["reindex"])
    assert out.exit_code == 0, out.output
    assert out.output.startswith("indexed ")
    assert [hit.title for hit in search.search(owner, "snapshots")] == ["Backups"]
