"""Page views: old URLs after rename and move, history and diff, restore, trash, conflicts, drafts, templates."""
from __future__ import annotations

import re

from tests import factories
from tests.wiki.conftest import Member, make_page, make_space
from webapp.extensions import db
from webapp.models import Page
from webapp.services.wiki import pages


def _edit(m: Member, page_id, title, body, base, space="eng", **extra):
    return m.post(f"/w/{space}/{page_id}/edit", data={"title": title, "body": body, "base_revision": base, **extra})


def test_rename_keeps_every_old_url_working(member):
    space = make_space(member.user)
    page = make_page(member.user, space, "Deploy guide", "Steps\n")
    old_url = f"/w/eng/{page.id}-deploy-guide"
    assert member.get(old_url).status_code == 200
    r = _edit(member, page.id, "Shipping a release", "Steps\n", 1)
    assert r.status_code == 302
    new_url = f"/w/eng/{page.id}-shipping-a-release"
    assert r.headers["Location"] == new_url
    for url in (old_url, "/w/eng/deploy-guide", f"/w/eng/{page.id}", f"/w/eng/{page.id}-anything"):
        r = member.get(url)
        assert r.status_code == 301 and r.headers["Location"] == new_url, url
    html = member.get(new_url).get_data(as_text=True)
    assert "<h1 class=\"wiki-title\">Shipping a release</h1>" in html


def test_move_with_subtree_keeps_urls_and_updates_breadcrumbs(member):
    eng = make_space(member.user)
    ops = make_space(member.user, "Operations", "ops")
    parent = make_page(member.user, eng, "Runbooks")
    child = make_page(member.user, eng, "Database failover", parent_id=parent.id)
    grandchild = make_page(member.user, eng, "Promote replica", parent_id=child.id)
    target = make_page(member.user, ops, "Incidents")
    r = member.post(f"/w/eng/{child.id}/move", data={"target": f"ops:{target.id}"})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Page, grandchild.id).space_id == ops.id  # the subtree came along
    r = member.get(f"/w/eng/{grandchild.id}-promote-replica")
    assert r.status_code == 301 and r.headers["Location"] == f"/w/ops/{grandchild.id}-promote-replica"
    assert member.get("/w/eng/promote-replica").headers["Location"] == f"/w/ops/{grandchild.id}-promote-replica"
    html = member.get(f"/w/ops/{grandchild.id}-promote-replica").get_data(as_text=True)
    crumbs = re.search(r'<nav class="wiki-crumbs".*?</nav>', html, re.S).group(0)
    assert crumbs.index("Incidents") < crumbs.index("Database failover") < crumbs.index("Promote replica")
    # A page cannot move under its own sub-page.
    r = member.post_json(f"/w/ops/{child.id}/move", {"parent_id": grandchild.id})
    assert r.status_code == 400 and "under itself" in r.get_json()["error"]


def test_reorder_siblings(member):
    space = make_space(member.user)
    a, b, c = (make_page(member.user, space, t) for t in ("Alpha", "Beta", "Gamma"))
    r = member.post_json(f"/w/eng/{c.id}/move", {"parent_id": space.home_page_id, "position": 1})
    assert r.status_code == 200
    html = member.get(pages.url(a)).get_data(as_text=True)
    tree = re.search(r'<nav class="wiki-tree".*?</nav>', html, re.S).group(0)
    assert tree.index("Gamma") < tree.index("Alpha") < tree.index("Beta")


def test_history_diff_and_restore(member):
    space = make_space(member.user)
    page = make_page(member.user, space, "Policy", "Reply within two days.\nEscalate to Sam.\n")
    assert _edit(member, page.id, "Policy", "Reply within one day.\nEscalate to Sam.\n", 1,
                 summary="faster").status_code == 302
    html = member.get(f"/w/eng/{page.id}/history").get_data(as_text=True)
    assert "faster" in html and "Grace" in html
    html = member.get(f"/w/eng/{page.id}/diff?from=1&to=2").get_data(as_text=True)
    assert "<del>two</del>" in html and "<ins>one</ins>" in html  # word-level, not whole lines
    r = member.post(f"/w/eng/{page.id}/restore/1")
    assert r.status_code == 302
    db.session.expire_all()
    restored = db.session.get(Page, page.id)
    assert restored.revision == 3 and restored.body == "Reply within two days.\nEscalate to Sam.\n"
    assert "Restored revision 1" in member.get(f"/w/eng/{page.id}/history").get_data(as_text=True)


def test_trash_and_restore_with_history(member):
    space = make_space(member.user)
    page = make_page(member.user, space, "Old process", "v1\n")
    _edit(member, page.id, "Old process", "v2\n", 1)
    sub = make_page(member.user, space, "Old sub", parent_id=page.id)
    assert member.post(f"/w/eng/{page.id}/delete").status_code == 302
    assert member.get(pages.url(page)).status_code == 404
    assert member.get(f"/w/eng/{sub.id}").status_code == 404
    trash = member.get("/w/eng/-/trash").get_data(as_text=True)
    assert "Old process" in trash and "Old sub" in trash
    assert member.post(f"/w/eng/-/trash/{page.id}/restore").status_code == 302
    assert member.get(f"/w/eng/{sub.id}-old-sub").status_code == 200
    html = member.get(f"/w/eng/{page.id}/history").get_data(as_text=True)
    assert html.count('name="to"') == 2  # both revisions survived
    # The home page cannot be deleted.
    member.post(f"/w/eng/{space.home_page_id}/delete")
    assert member.get(f"/w/eng/{space.home_page_id}").status_code in (200, 301)


def test_form_publish_merges_or_shows_conflict_without_losing_text(app, member):
    other = Member(app, factories.user(name="Linus"))
    space = make_space(member.user)
    page = make_page(member.user, space, "Checklist", "alpha\n\nbeta\n\ngamma\n")
    assert _edit(member, page.id, "Checklist", "ALPHA\n\nbeta\n\ngamma\n", 1).status_code == 302
    r = _edit(other, page.id, "Checklist", "alpha\n\nbeta\n\nGAMMA\n", 1)
    assert r.status_code == 302
    assert "merged" in other.get(r.headers["Location"]).get_data(as_text=True)
    assert db.session.get(Page, page.id).body == "ALPHA\n\nbeta\n\nGAMMA\n"
    r = _edit(other, page.id, "Checklist", "alpha (Linus)\n\nbeta\n\ngamma\n", 1)
    assert r.status_code == 409
    html = r.get_data(as_text=True)
    assert "alpha (Linus)" in html and "ALPHA" in html and "Keep mine" in html and "Save as a new page" in html
    # Typed text is kept as the user's draft: the editor offers it again.
    assert "alpha (Linus)" in other.get(f"/w/eng/{page.id}/edit").get_data(as_text=True)
    # "Keep mine" publishes on top of the current revision.
    r = _edit(other, page.id, "Checklist", "alpha (Linus)\n\nbeta\n\ngamma\n", 3)
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Page, page.id).body == "alpha (Linus)\n\nbeta\n\ngamma\n"


def test_draft_autosave_and_presence(app, member):
    other = Member(app, factories.user(name="Linus"))
    space = make_space(member.user)
    page = make_page(member.user, space, "Notes", "x\n")
    assert member.get(f"/w/eng/{page.id}/edit").status_code == 200
    r = member.post_json(f"/w/eng/{page.id}/draft", {"title": "Notes", "body": "half-typed thought", "base_revision": 1})
    assert r.status_code == 200
    html = member.get(f"/w/eng/{page.id}/edit").get_data(as_text=True)
    assert "unpublished draft" in html and "half-typed thought" in html
    html = other.get(f"/w/eng/{page.id}/edit").get_data(as_text=True)
    assert "Grace is also editing this page" in html
    assert other.post_json(f"/w/eng/{page.id}/presence", {}).get_json()["others"] == ["Grace"]
    # Without the CSRF token a draft post is refused.
    r = member.client.post(f"/w/eng/{page.id}/draft", json={"body": "x"})
    assert r.status_code == 400


def test_missing_link_is_red_and_creates_the_page(member):
    space = make_space(member.user)
    page = make_page(member.user, space, "Index", "See [[Glossary]] and [[Index]].\n")
    html = member.get(pages.url(page)).get_data(as_text=True)
    assert 'class="wikilink missing" href="/w/eng/-/title/Glossary"' in html
    r = member.get("/w/eng/-/title/Glossary")
    assert r.status_code == 302 and "title=Glossary" in r.headers["Location"]
    assert "Glossary" in member.get("/w/eng/-/broken-links").get_data(as_text=True)
    r = member.post("/w/eng/-/new", data={"title": "Glossary", "body": "Terms\n"})
    assert r.status_code == 302
    html = member.get(pages.url(page)).get_data(as_text=True)
    assert 'class="wikilink missing"' not in html and "No broken links" in member.get(
        "/w/eng/-/broken-links").get_data(as_text=True)
    glossary = pages.by_title(space, "Glossary")
    assert "Index" in member.get(pages.url(glossary)).get_data(as_text=True).split("Linked from")[1]


def test_templates_and_preview(member):
    space = make_space(member.user)
    r = member.post("/w/eng/-/new", data={"title": "Incident template", "body": "## Impact\n\n## Timeline\n",
                                          "is_template": "1"})
    assert r.status_code == 302
    tpl = pages.by_title(space, "Incident template")
    assert tpl.is_template
    html = member.get(f"/w/eng/-/new?template={tpl.id}").get_data(as_text=True)
    assert "## Impact" in html
    r = member.post_json("/w/-/preview", {"body": "**bold** <script>alert(1)</script>", "space": "eng"})
    assert r.status_code == 200
    assert r.get_json()["html"].strip() == "<p><strong>bold</strong> </p>"
    assert member.client.post("/w/-/preview", json={"body": "x", "space": "eng"}).status_code == 400  # no CSRF


def test_recent_and_index(member):
    space = make_space(member.user)
    make_page(member.user, space, "Fresh page")
    html = member.get("/w/").get_data(as_text=True)
    assert "Engineering" in html and "Fresh page" in html
    assert "Fresh page" in member.get("/w/eng/-/recent").get_data(as_text=True)
    r = member.post("/w/-/spaces", data={"name": "Support", "slug": "support"})
    assert r.status_code == 302 and member.get(r.headers["Location"]).status_code == 302


def test_only_admins_delete_spaces(app, member):
    space = make_space(member.user)
    r = member.post("/w/eng/-/delete", data={"confirm": "eng"})
    assert r.status_code == 403
    admin = Member(app, factories.user(admin=True))
    assert admin.post("/w/eng/-/delete", data={"confirm": "eng"}).status_code == 302
    assert member.get(f"/w/eng/{space.home_page_id}").status_code == 404


def test_trash_is_purged_after_thirty_days(member):
    from datetime import timedelta

    from webapp.models import PageRevision
    from webapp.services.wiki import tree

    space = make_space(member.user)
    page = make_page(member.user, space, "Stale")
    tree.trash(member.user, page)
    db.session.get(Page, page.id).deleted_at -= timedelta(days=29)
    db.session.commit()
    assert tree.purge_expired() == 0
    db.session.get(Page, page.id).deleted_at -= timedelta(days=2)
    db.session.commit()
    assert tree.purge_expired() == 1
    assert db.session.get(Page, page.id) is None
    assert db.session.query(PageRevision).filter_by(page_id=page.id).count() == 0


def test_export_one_page_with_its_subtree(member):
    import io
    import json
    import zipfile

    space = make_space(member.user)
    parent = make_page(member.user, space, "Parent", "p\n")
    make_page(member.user, space, "Child", "c\n", parent_id=parent.id)
    make_page(member.user, space, "Elsewhere", "e\n")
    r = member.get(f"/w/eng/{parent.id}/export")
    assert r.status_code == 200 and r.mimetype == "application/zip"
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(r.data)).read("parley.json"))
    assert [p["title"] for p in manifest["pages"]] == ["Parent", "Child"]
    assert manifest["pages"][0]["parent"] is None and manifest["pages"][1]["parent"] == parent.id


def test_cached_page_views_follow_every_change(app, member):
    other = Member(app, factories.user(name="Linus"))
    space = make_space(member.user)
    page = make_page(member.user, space, "Cached", "First text\n")
    url = pages.url(page)
    assert "First text" in member.get(url).get_data(as_text=True)
    assert "First text" in member.get(url).get_data(as_text=True)
    assert app.extensions["wiki_page_cache"], "the second view should have been cached"
    _edit(other, page.id, "Cached", "Second text\n", 1)
    assert "Second text" in member.get(url).get_data(as_text=True)
    make_page(other.user, space, "Linker", "See [[Cached]]\n")
    assert "Linker" in member.get(url).get_data(as_text=True).split("Linked from")[1]
    member.post(f"/w/eng/{page.id}/watch", data={"on": "1"})
    member.get(url)  # this view shows (and consumes) the flash message
    assert "Unwatch" in member.get(url).get_data(as_text=True)
    # Each viewer gets their own CSRF token and name, never another viewer's cached copy.
    html = other.get(url).get_data(as_text=True)
    assert "Linus" in html and "Grace" not in html.split("<main>")[0]

    def token(page_html):
        return re.search(r'name="csrf-token" content="([^"]+)"', page_html).group(1)

    other_token, member_token = token(html), token(member.get(url).get_data(as_text=True))
    watch = f"/w/eng/{page.id}/watch"
    assert other.client.post(watch, data={"on": "1", "csrf_token": member_token}).status_code == 400
    assert other.client.post(watch, data={"on": "1", "csrf_token": other_token}).status_code == 302
