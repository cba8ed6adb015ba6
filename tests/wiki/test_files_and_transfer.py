"""Attachments behind the permission check, export and import of spaces, videos woven into pages."""
from __future__ import annotations

import io
import zipfile

from tests import factories
from tests.wiki.conftest import Member, make_page, make_space
from webapp.adapters.storage import storage
from webapp.extensions import db
from webapp.models import Page
from webapp.services.wiki import links, pages, transfer, tree

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")


def _upload(m, page, name, data):
    return m.client.post(f"/w/eng/{page.id}/attachments", data={"file": (io.BytesIO(data), name)},
                         headers={"X-CSRFToken": m.csrf}, content_type="multipart/form-data")


def test_attachments_are_stored_and_served_behind_login(app, member):
    space = make_space(member.user)
    page = make_page(member.user, space, "Screens")
    r = _upload(member, page, "shot.png", PNG)
    assert r.status_code == 201, r.get_json()
    att = r.get_json()
    assert att["markdown"] == f"![shot.png]({att['url']})"
    assert storage().read_bytes(f"attachments/{page.id}/{att['id']}/shot.png") == PNG
    got = member.get(att["url"])
    assert got.status_code == 200 and got.data == PNG and got.mimetype == "image/png"
    assert "attachment" not in got.headers.get("Content-Disposition", "")
    # An HTML file is never rendered on our origin: it downloads, under a sandboxing CSP.
    r = _upload(member, page, "evil.html", b"<script>alert(1)</script>")
    html_file = member.get(r.get_json()["url"])
    assert "attachment" in html_file.headers["Content-Disposition"]
    assert "sandbox" in html_file.headers["Content-Security-Policy"]
    # Anonymous visitors get nothing.
    assert app.test_client().get(att["url"]).status_code in (302, 401)
    # A file name full of markup loses its markup characters and is escaped wherever it shows.
    r = _upload(member, page, "<img src=x onerror=alert(1)>.txt", b"hi")
    assert r.status_code == 201
    html = member.get(pages.url(page)).get_data(as_text=True)
    assert "<img src=x onerror" not in html and ">img src=x onerror=alert(1).txt</a>" in html


def test_attachment_size_is_bounded(member):
    from webapp.services.wiki import WikiError, attachments

    space = make_space(member.user)
    page = make_page(member.user, space, "Big")
    try:
        attachments.add(member.user, page, "big.bin", io.BytesIO(b"x" * 2048), max_bytes=1024)
    except WikiError as e:
        assert "at most" in str(e)
    else:
        raise AssertionError("an oversized file was accepted")


def test_export_then_import_reproduces_pages_tree_and_attachments(stack_app):
    user = factories.user()
    src = make_space(user, "Source", "src")
    guide = make_page(user, src, "Guide", "Intro\n")
    step = make_page(user, src, "Step one", "Do it\n", parent_id=guide.id)
    make_page(user, src, "Step two", "Then this, see [[Step one]]\n", parent_id=guide.id)
    from webapp.services.wiki import attachments

    att = attachments.add(user, step, "diagram.png", io.BytesIO(PNG))
    pages.publish(user, step, "Step one", f"Do it\n\n![diagram]({attachments.url(att)})\n", step.revision)

    data = transfer.export(user, src)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert "parley.json" in zf.namelist()
        assert any(n.endswith("diagram.png") for n in zf.namelist())

    dst = make_space(user, "Copy", "copy")
    created = transfer.import_zip(user, dst, data)
    assert len(created) == 4  # the source's home page comes along as an ordinary page

    def shape(space):
        by_id = tree.nodes(space.id)
        return sorted((n.title, by_id[n.parent_id].title if n.parent_id in by_id else None)
                      for n in by_id.values() if n.id != space.home_page_id)

    assert shape(dst) == [("Guide", "Source"), ("Source", "Copy"), ("Step one", "Guide"), ("Step two", "Guide")]
    new_step = pages.by_title(dst, "Step one")
    new_atts = attachments.for_page(new_step)
    assert [a.name for a in new_atts] == ["diagram.png"]
    assert storage().read_bytes(new_atts[0].key) == PNG
    assert attachments.url(new_atts[0]) in new_step.body  # the image link points at the imported copy
    assert pages.by_title(dst, "Step two").body == "Then this, see [[Step one]]\n"
    assert [p.title for p in links.backlinks(user, new_step)] == ["Step two"]


def test_import_rejects_unsafe_zips(member):
    from webapp.services.wiki import WikiError

    space = make_space(member.user)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("../escape.md", "x")
    for data, message in ((buf.getvalue(), "unsafe path"), (b"not a zip", "not a zip")):
        try:
            transfer.import_zip(member.user, space, data)
        except WikiError as e:
            assert message in str(e)
        else:
            raise AssertionError("accepted " + message)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.md", "a" * (60 * 1024 * 1024))
    r = member.client.post("/w/eng/-/import", data={"file": (io.BytesIO(bomb.getvalue()), "b.zip"),
                                                    "csrf_token": member.csrf}, content_type="multipart/form-data")
    assert r.status_code == 302
    assert "too much data" in member.get(r.headers["Location"]).get_data(as_text=True)
    # A manifest that names a missing file fails as a whole: no half-imported pages.
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as zf:
        zf.writestr("pages/1-a.md", "a\n")
        zf.writestr("parley.json", '{"pages": [{"id": 1, "title": "A", "file": "pages/1-a.md", "parent": null},'
                                   ' {"id": 2, "title": "B", "file": "pages/2-b.md", "parent": 1}]}')
    try:
        transfer.import_zip(member.user, space, broken.getvalue())
    except WikiError as e:
        assert "missing" in str(e)
        db.session.rollback()
    else:
        raise AssertionError("accepted a manifest naming a missing file")
    assert pages.by_title(space, "A") is None
    # A plain zip of Markdown files imports too.
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as zf:
        zf.writestr("notes/Meeting notes.md", "# Monday\n")
    created = transfer.import_zip(member.user, space, plain.getvalue())
    assert [p.title for p in created] == ["Meeting notes"]


def test_video_embeds_respect_video_permissions(app, member):
    owner = member.user
    team_video = factories.video(owner, "Onboarding walkthrough", status="ready", mp4_key=None)
    team_video.mp4_key = f"renditions/{team_video.id}/v1/video.mp4"
    private = factories.video(owner, "Secret plan", visibility="private")
    db.session.commit()
    space = make_space(owner)
    page = make_page(owner, space, "Onboarding",
                     f"{{{{video:{team_video.id} t=1:30-2:10}}}}\n\n{{{{video:{private.id}}}}}\n\n"
                     f"Also [at 45 s](/v/{team_video.id}?t=45).\n")
    html = member.get(pages.url(page)).get_data(as_text=True)
    assert f'data-video-id="{team_video.id}"' in html and "#t=90,130" in html and "<video" in html
    assert "Secret plan" in html and "Video unavailable" not in html  # the owner may see both
    other = Member(app, factories.user(name="Visitor"))
    html = other.get(pages.url(page)).get_data(as_text=True)
    assert html.count('<span class="wiki-video-embed"><video') == 1 and "Video unavailable" in html and "Secret plan" not in html
    cited = links.pages_citing_video(owner, team_video.id)
    assert [(c.page.title, c.moments) for c in cited] == [("Onboarding", [45, 90])]
    assert links.pages_citing_video(owner, "nope") == []


def test_create_page_from_video_with_transcript_hook(app, member):
    from webapp.services.wiki import from_video

    video = factories.video(member.user, "Fixing the build", status="ready", description="Why CI broke")
    space = make_space(member.user)
    r = member.get(f"/w/-/from-video/{video.id}")
    assert "In which space?" in r.get_data(as_text=True)
    html = member.get(f"/w/-/from-video/{video.id}?space=eng").get_data(as_text=True)
    assert 'value="Fixing the build"' in html and f"{{{{video:{video.id}}}}}" in html
    segments = [from_video.Segment(0, 12, "First we look at the log."), from_video.Segment(12, 31, "Then <fix> it."),
                from_video.Segment(31, 40, "Done.")]
    md = from_video.transcript_markdown(video.id, segments)
    assert md == (f"[0:00](/v/{video.id}?t=0) First we look at the log. Then &lt;fix> it.\n\n"
                  f"[0:31](/v/{video.id}?t=31) Done.")
    assert space.slug == "eng"


def test_watch_page_and_space(member):
    from webapp.services.wiki import watches

    space = make_space(member.user)
    page = make_page(member.user, space, "Roadmap")
    member.post(f"/w/eng/{page.id}/watch", data={"on": "1"})
    member.post("/w/eng/-/watch", data={"on": "1"})
    assert watches.is_watching(member.user, space.id, page.id) and watches.is_watching(member.user, space.id)
    assert watches.watchers(space.id, page.id) == [member.user.id]
    member.post(f"/w/eng/{page.id}/watch", data={"on": "0"})
    assert not watches.is_watching(member.user, space.id, page.id)
    assert db.session.get(Page, page.id) is not None
