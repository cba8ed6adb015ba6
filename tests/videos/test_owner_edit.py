"""The watch page as HTML: the owner (and an admin) get the edit, trim and delete controls wired to the API;
another member gets none of them, and everyone reads the description, escaped."""
from __future__ import annotations

from tests import factories
from tests.media_worker.conftest import logged_in_client

CONTROLS = ('id="owner-actions"', 'id="edit-form"', 'id="trim-editor"', 'id="delete-dialog"')


def test_only_who_may_manage_gets_the_edit_controls(app):
    owner = factories.user("owner@example.com", name="Olive Owner")
    factories.user("member@example.com")
    factories.user("admin@example.com", admin=True)
    video = factories.video(owner, "Roadmap", status="ready", duration=12.0,
                            description="Line one <b>bold?</b>\nLine two")

    for email in ("owner@example.com", "admin@example.com"):
        html = logged_in_client(app, email).get(f"/v/{video.id}").get_data(as_text=True)
        assert all(c in html for c in CONTROLS), email
        assert f'data-api-url="/api/v1/videos/{video.id}/trim"' in html
        assert f'data-undo-url="/api/v1/videos/{video.id}/trim/undo"' in html
        assert f'data-api-url="/api/v1/videos/{video.id}"' in html and 'data-library-url="/videos"' in html
        assert '<option value="team" selected>' in html

    html = logged_in_client(app, "member@example.com").get(f"/v/{video.id}").get_data(as_text=True)
    assert not any(c in html for c in CONTROLS)
    assert "/trim" not in html
    assert "Line one &lt;b&gt;bold?&lt;/b&gt;\nLine two" in html  # shown to every viewer, never as markup
