"""Every route of the app, walked as owner, another member, an admin and an anonymous visitor.

The wiki space "Hush" is made visible to its creator and admins only (by the policy's space rule, the one place
per-space rights will live), and the owner's video is private. Every path must then agree with the policy: the
owner and admins get through, the other member gets the same 404 as for something that does not exist, the
anonymous visitor is asked to log in, nothing answers 500, and no response to the other two ever contains a word
of what is hidden. A route added without an entry in EXPECT fails the test, so nobody can forget one.
"""
from __future__ import annotations

import io

import pytest

from tests import factories
from tests.policy.conftest import SECRET
from webapp import policy, storage_keys
from webapp.adapters.storage import storage
from webapp.extensions import db
from webapp.models import Transcript, TranscriptSegment, User
from webapp.services import uploads
from webapp.services.wiki import attachments, pages, spaces, tree

# endpoint -> what guards it:
#   public   anyone                 member  any signed-in member        self    the principal's own account
#   video    the owner's private video (owner, admin)                   manage  the owner's team video (others: 403)
#   space/page/attachment           the hidden space, its page, its file (owner, admin)
#   upload   the owner's upload in progress (the owner only)
EXPECT = {
    "static": "public", "favicon": "public", "auth.login": "public", "auth.signup": "public", "auth.index": "public",
    "health.healthz": "public",
    "auth.logout": "self", "auth.account": "self", "auth.sign_out_everywhere": "self",
    "videos.library": "member", "uploads.new": "member", "uploads.form_upload": "member",
    "uploads.tus_collection": "member", "api.create_video": "member", "api.list_videos": "member",
    "api.list_spaces": "member", "api.create_space": "member", "wiki.index": "member", "wiki.create_space": "member",
    "search.results": "member", "api.search": "member", "api.search_suggest": "member",
    "transcripts.transcript_json": "video", "transcripts.captions_vtt": "video", "transcripts.captions_srt": "video",
    "transcripts.upload_captions": "video", "transcripts.rerun": "video",
    "transcripts.history": "video", "transcripts.revision": "video", "transcripts.restore": "video",
    "transcripts.captions_preference": "self", "api.correct_transcript": "video",
    "api.list_transcript_revisions": "video", "api.get_transcript_revision": "video",
    "api.restore_transcript_revision": "video",
    "screens.screens_json": "video", "screens.rescan": "video",
    "api.get_transcript": "video", "api.get_captions": "video", "api.upload_captions": "video",
    "api.get_chapters": "video", "api.put_chapters": "video", "api.delete_chapters": "video",
    "videos.watch": "video", "videos.status": "video", "videos.media": "video", "api.get_video": "video",
    "wiki.from_video_page": "video",
    "videos.retry": "manage", "api.update_video": "manage", "api.delete_video": "video",
    "api.retry_video": "manage", "api.put_trim": "video", "api.delete_trim": "video", "api.undo_trim": "video",
    "uploads.tus_upload": "upload",
    "wiki.attachment": "attachment",
    "wiki.preview": "space", "wiki.broken_links": "space", "wiki.by_title": "space", "wiki.delete_space": "space",
    "wiki.export_space": "space", "wiki.import_space": "space", "wiki.new_page": "space", "wiki.recent": "space",
    "wiki.space_home": "space", "wiki.trash": "space", "wiki.watch_space": "space", "wiki.old_slug": "space",
    "wiki.restore_from_trash": "space", "api.get_space": "space", "api.create_page": "space",
    "wiki.save_draft": "page", "wiki.delete": "page", "wiki.diff": "page", "wiki.edit": "page",
    "wiki.export_page": "page", "wiki.history": "page", "wiki.move": "page", "wiki.presence": "page",
    "wiki.restore": "page", "wiki.revision": "page", "wiki.upload_attachment": "page", "wiki.view": "page",
    "wiki.watch": "page", "api.get_backlinks": "page", "api.get_page": "page", "api.list_revisions": "page",
    "api.get_revision": "page", "api.put_page": "page",
}
# Run last for a role, each on objects of its own: they end what they touch.
LAST = ("api.delete_video", "wiki.delete", "wiki.delete_space", "wiki.restore_from_trash", "auth.sign_out_everywhere",
        "auth.logout")


class World:
    """What one role's walk needs: the three people, a hidden space with a page, a file, a trashed page and a
    template, an open space whose page cites the owner's team video, videos and an upload."""

    def __init__(self):
        self.admin = factories.user(admin=True, name="Admin")
        self.owner = factories.user(name="Owner")
        self.other = factories.user(name="Other")
        o = self.owner
        self.space = spaces.create(o, f"{SECRET} Space", "hush")
        self.page = pages.create(o, self.space, f"{SECRET} Page", f"{SECRET} words [[{SECRET} Page]]")
        pages.publish(o, self.page, self.page.title, self.page.body + "\nmore\n", 1)
        self.template = pages.create(o, self.space, f"{SECRET} Template", f"{SECRET} template", is_template=True)
        self.trashed = pages.create(o, self.space, f"{SECRET} Trashed", "gone")
        tree.trash(o, self.trashed)
        self.file = attachments.add(o, self.page, f"{SECRET}.txt", io.BytesIO(b"hush hush"))
        self.video = factories.video(o, f"{SECRET} Video", visibility="private", status="ready")
        self.doomed_video = factories.video(o, f"{SECRET} Doomed", visibility="private", status="ready")
        storage().put_bytes(storage_keys.renditions(self.video.id) + "run/video.mp4", b"\0" * 64)
        self.team_video = factories.video(o, "Team demo", status="failed")
        self.doomed_page = pages.create(o, self.space, f"{SECRET} Doomed page", "x")
        self.doomed_space = spaces.create(o, f"{SECRET} Doomed space", "hush-doomed")
        # The open space's page cites the team video; the hidden page cites it too (its watch page must not say).
        self.open = spaces.create(o, "Open", "open")
        pages.create(o, self.open, "Open page", f"{{{{video:{self.team_video.id}}}}}")
        pages.publish(o, self.page, self.page.title, self.page.body + f"\n{{{{video:{self.team_video.id}}}}}\n", 2)
        self.upload = uploads.create(o, length=1000)
        # A finished transcript, so its captions answer the people who may see the video.
        db.session.add(Transcript(video_id=self.video.id, state="done", progress=100, segments=[
            TranscriptSegment(video_id=self.video.id, position=0, start=0.0, end=1.0, text=f"{SECRET} words")]))
        db.session.commit()
        self.tokens = {u.email: factories.token(u) for u in (self.admin, self.owner, self.other)}

    def args(self, endpoint: str, rule) -> dict:
        p = self.page
        values = {"space_slug": "hush", "page_id": p.id, "slug": p.slug, "number": 1, "video_id": self.video.id,
                  "path": "run/video.mp4", "attachment_id": self.file.id, "name": "Hush.txt", "title": p.title,
                  "upload_id": self.upload.id, "filename": "css/app.css"}
        if endpoint in ("videos.retry", "api.update_video", "api.retry_video"):
            values["video_id"] = self.team_video.id
        if endpoint == "api.delete_video":
            values["video_id"] = self.doomed_video.id
        if endpoint == "wiki.delete":
            values["page_id"] = self.doomed_page.id
        if endpoint == "wiki.delete_space":
            values["space_slug"] = "hush-doomed"
        if endpoint == "wiki.restore_from_trash":
            values["page_id"] = self.trashed.id
        if endpoint in ("wiki.old_slug",):
            values["slug"] = p.slug
        if endpoint.startswith("api.") and "slug" in rule.arguments:
            values["slug"] = "hush"
        return {k: v for k, v in values.items() if k in rule.arguments}


def _body(endpoint, world):
    """A request body that gets past parsing to the access check (the check must come first anyway)."""
    return {
        "wiki.preview": {"json": {"space": "hush", "body": "x"}},
        "wiki.delete_space": {"data": {"confirm": "hush-doomed"}},
        "api.put_page": {"json": {"base_revision": 3, "body": "new"}},
        "api.update_video": {"json": {"title": "Renamed"}},
        "api.put_trim": {"json": {"start": 0, "end": 1}},
        "api.create_page": {"json": {"title": "New page"}},
    }.get(endpoint, {})


def _headers(endpoint, method):
    h = {}
    if endpoint.startswith("uploads.tus"):
        h["Tus-Resumable"] = "1.0.0"
        if method == "PATCH":
            h.update({"Content-Type": "application/offset+octet-stream", "Upload-Offset": "0"})
        if method == "POST":
            h["Upload-Length"] = "10"
    return h


def _cases(app, world):
    with app.test_request_context():
        return _build_cases(app, world)


def _build_cases(app, world):
    cases = []
    for rule in app.url_map.iter_rules():
        kind = EXPECT.get(rule.endpoint)
        assert kind, f"route {rule.rule} ({rule.endpoint}) has no access expectation in tests/policy/test_url_map.py"
        url = app.url_for(rule.endpoint, **world.args(rule.endpoint, rule)) if rule.endpoint != "static" else \
            "/static/css/app.css"
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}, key=lambda m: (m == "DELETE", m)):
            if rule.endpoint == "uploads.tus_upload" and method == "POST":
                continue  # the method override's carrier: PATCH and DELETE are walked
            cases.append((rule.endpoint, method, url, kind))
    return sorted(cases, key=lambda c: (c[0] in LAST, LAST.index(c[0]) if c[0] in LAST else 0, c[0], c[1] == "DELETE"))


def _allowed(kind: str, role: str, method: str) -> bool:
    if kind == "public":
        return True
    if role == "anonymous":
        return False
    if kind in ("member", "self"):
        return True
    if kind == "upload":
        return role == "owner"
    if kind == "manage" and role == "other":
        return False
    return role in ("owner", "admin")


@pytest.mark.parametrize("role", ["anonymous", "other", "owner", "admin"])
# Only a response that shows content can leak it; redirects echo the address the visitor asked for.
def test_every_route_answers_as_the_policy_says(app, hidden_space, role):
    world = World()
    client = app.test_client()
    user = {"owner": world.owner, "other": world.other, "admin": world.admin}.get(role)
    auth = {"Authorization": f"Bearer {world.tokens[user.email]}"} if user else {}
    problems = []
    for endpoint, method, url, kind in _cases(app, world):
        db.session.remove()
        r = client.open(url, method=method, headers={**auth, **_headers(endpoint, method)}, **_body(endpoint, world))
        text = r.get_data().decode("utf-8", "replace")
        where = f"{role} {method} {url} ({endpoint})"
        if r.status_code >= 500:
            problems.append(f"{where}: {r.status_code}")
        elif kind == "public":
            pass
        elif _allowed(kind, role, method):
            to_login = r.status_code == 302 and "/login" in r.headers.get("Location", "")
            if r.status_code in (401, 404) or (to_login and endpoint not in ("auth.logout", "auth.sign_out_everywhere")):
                problems.append(f"{where}: refused with {r.status_code}, but the policy allows it")
        elif role == "anonymous":
            # A form post without a session fails its CSRF check before anything else: refused, too.
            csrf = method != "GET" and r.status_code == 400 and "CSRF" in text
            if not (csrf or r.status_code == 401 or (r.status_code == 302 and "/login" in r.headers["Location"])):
                problems.append(f"{where}: {r.status_code}, not a request to log in")
        elif kind == "manage":
            if r.status_code != 403:
                problems.append(f"{where}: {r.status_code}; a member who may view but not manage gets 403")
        elif r.status_code != 404:
            problems.append(f"{where}: {r.status_code}; what one may not see must look like nothing (404)")
        if role in ("anonymous", "other") and r.status_code < 300 and SECRET.lower() in text.lower():
            problems.append(f"{where}: the response mentions what {role} may not see")
    assert not problems, "\n".join(problems)


def test_every_member_sees_a_space_by_default(app):
    world = World()
    assert policy.can(world.other, policy.VIEW, world.space)
    assert not policy.can(None, policy.VIEW, world.space)
    assert not policy.can(object(), policy.VIEW, world.space)  # a principal no rule knows sees nothing
    assert db.session.get(User, world.other.id).role == "member"
