"""The one search writer keeps the index equal to the database: every change reaches it, and only visible hits
come back."""
import io
import zipfile

from tests import factories
from webapp.adapters import search_index
from webapp.services import search
from webapp.services.search import indexer
from webapp.services.wiki import pages, spaces, transfer, tree


def titles(viewer, text, **kw):
    indexer.run_once()
    return sorted(h.title for h in search.search(viewer, text, **kw))


def test_a_space_home_page_is_found(stack_app):
    user = factories.user()
    spaces.create(user, "Platform Guild", "guild")
    assert titles(user, "welcome guild") == ["Platform Guild"]


def test_imported_pages_are_found(stack_app):
    user = factories.user()
    space = spaces.create(user, "Ops", "ops")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("Rotate keys.md", "Rotate the signing keys every quarter.")
        zf.writestr("Restore backups.md", "Restore from the nightly snapshot.")
    transfer.import_zip(user, space, buf.getvalue())
    assert titles(user, "quarter") == ["Rotate keys"]
    assert titles(user, "snapshot") == ["Restore backups"]


def test_a_page_moved_to_another_space_is_indexed_in_its_new_space(stack_app):
    user = factories.user()
    ops, eng = spaces.create(user, "Ops", "ops"), spaces.create(user, "Engineering", "eng")
    page = pages.create(user, ops, "Pager duty", "who carries the pager")
    indexer.run_once()
    assert search_index.stored_fields(f"page:{page.id}")["space"] == "ops"
    tree.move(user, page, None, space=eng)
    indexer.run_once()
    assert search_index.stored_fields(f"page:{page.id}")["space"] == "eng"
    [hit] = search.search(user, "pager")
    assert hit.url.startswith("/w/eng/")


def test_publish_trash_and_restore_reach_the_index(stack_app):
    user = factories.user()
    space = spaces.create(user, "Ops", "ops")
    page = pages.create(user, space, "Runbook", "old words")
    pages.publish(user, page, "Runbook", "fresh words", page.revision)
    assert titles(user, "fresh") == ["Runbook"] and titles(user, "old") == []
    tree.trash(user, page)
    assert titles(user, "fresh") == []
    tree.restore(user, pages.get(page.id, include_trashed=True))
    assert titles(user, "fresh") == ["Runbook"]


def test_results_hold_only_what_the_reader_may_see(stack_app):
    owner, other = factories.user(), factories.user()
    factories.video(owner, "Quarterly numbers", visibility="private", description="revenue chart")
    factories.video(owner, "Team update", description="revenue is up")
    from webapp.extensions import db
    from webapp.models import Video
    from webapp.services import outbox

    for v in db.session.query(Video):
        outbox.announce("video.updated", f"video:{v.id}", video_id=v.id)
    db.session.commit()
    assert titles(owner, "revenue") == ["Quarterly numbers", "Team update"]
    assert titles(other, "revenue") == ["Team update"]
    assert titles(None, "revenue") == []


def test_snippets_come_from_the_database_text(app):
    user = factories.user()
    space = spaces.create(user, "Ops", "ops")
    pages.create(user, space, "Certificates", "Intro. " * 40 + "Renew the TLS certificate before it expires. " +
                 "Outro. " * 40)
    indexer.run_once()
    [hit] = search.search(user, "renew")
    assert "[[Renew]] the TLS certificate" in hit.snippet
    assert len(hit.snippet) < 400


def test_reindex_with_a_running_indexer_hands_the_rebuild_to_it(app):
    user = factories.user()
    space = spaces.create(user, "Ops", "ops")
    pages.create(user, space, "Backups", "nightly snapshots")
    with search_index.exclusive_writer(wait=0) as writer:  # "the running indexer"
        assert indexer.request_rebuild() == "the running indexer will rebuild the index"
        indexer.drain(writer)
        assert writer.doc_ids() == {f"page:{space.home_page_id}", f"page:{pages.by_title(space, 'Backups').id}"}
    assert indexer.request_rebuild().startswith("indexed 2 ")
