"""The wiki's JSON API on both stacks: spaces, pages, publish with merge or 409, history, backlinks."""
from __future__ import annotations


def _space_and_page(api, body="Line one\n\nLine two\n\nLine three\n"):
    r = api.post("/api/v1/spaces", json={"name": "Support", "slug": "support"})
    assert r.status_code == 201, r.get_json()
    r = api.post("/api/v1/spaces/support/pages", json={"title": "Reset a password", "body": body, "parent_id": None})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_create_and_read_page(api):
    created = _space_and_page(api, "# Steps\n\n1. Open **settings**\n")
    assert created["revision"] == 1 and isinstance(created["id"], int)
    r = api.get(f"/api/v1/pages/{created['id']}")
    page = r.get_json()
    assert r.status_code == 200
    assert page["title"] == "Reset a password"
    assert page["body"] == "# Steps\n\n1. Open **settings**\n"
    assert "<strong>settings</strong>" in page["html"]
    assert page["url"] == f"/w/support/{created['id']}-reset-a-password"
    tree = api.get("/api/v1/spaces/support").get_json()["tree"]
    assert tree[0]["children"][0]["title"] == "Reset a password"  # under the space's home page


def test_put_merges_non_overlapping_and_refuses_overlapping(api):
    page = _space_and_page(api)
    url = f"/api/v1/pages/{page['id']}"
    r = api.put(url, json={"body": "Line one EDITED BY A\n\nLine two\n\nLine three\n", "base_revision": 1})
    assert r.status_code == 200 and r.get_json()["revision"] == 2 and not r.get_json()["merged"]
    # B still works from revision 1 and changes another paragraph: merged cleanly.
    r = api.put(url, json={"body": "Line one\n\nLine two\n\nLine three EDITED BY B\n", "base_revision": 1})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["merged"] is True and r.get_json()["revision"] == 3
    assert r.get_json()["body"] == "Line one EDITED BY A\n\nLine two\n\nLine three EDITED BY B\n"
    # C, also from revision 1, rewrites the first line differently: 409 with the current text.
    r = api.put(url, json={"body": "Line one REWRITTEN BY C\n\nLine two\n\nLine three\n", "base_revision": 1})
    assert r.status_code == 409
    body = r.get_json()
    assert body["current_revision"] == 3
    assert body["current_body"] == "Line one EDITED BY A\n\nLine two\n\nLine three EDITED BY B\n"
    assert body["your_body"] == "Line one REWRITTEN BY C\n\nLine two\n\nLine three\n"
    assert "REWRITTEN BY C" in body["merged_with_markers"] and "EDITED BY A" in body["merged_with_markers"]
    assert api.get(url).get_json()["revision"] == 3  # nothing was written


def test_put_requires_base_revision(api):
    page = _space_and_page(api)
    r = api.put(f"/api/v1/pages/{page['id']}", json={"body": "x"})
    assert r.status_code == 400 and "base_revision" in r.get_json()["error"]


def test_revisions_and_backlinks(api):
    page = _space_and_page(api)
    api.put(f"/api/v1/pages/{page['id']}", json={"title": "Reset your password", "body": "New text\n",
                                                 "base_revision": 1, "summary": "clearer"})
    revs = api.get(f"/api/v1/pages/{page['id']}/revisions").get_json()["revisions"]
    assert [r["number"] for r in revs] == [2, 1]
    assert revs[0]["summary"] == "clearer" and revs[0]["author"]["name"] == "Ada"
    first = api.get(f"/api/v1/pages/{page['id']}/revisions/1").get_json()
    assert first["title"] == "Reset a password" and first["body"].startswith("Line one")
    assert api.get(f"/api/v1/pages/{page['id']}/revisions/9").status_code == 404

    r = api.post("/api/v1/spaces/support/pages", json={"title": "FAQ", "body": "See [[Reset your password]]."})
    faq = r.get_json()
    assert 'class="wikilink"' in faq["html"] and f"/w/support/{page['id']}-" in faq["html"]
    back = api.get(f"/api/v1/pages/{page['id']}/backlinks").get_json()["backlinks"]
    assert [b["title"] for b in back] == ["FAQ"]


def test_api_validation_and_auth(api):
    _space_and_page(api)
    assert api.post("/api/v1/spaces", json={"name": "Support", "slug": "support"}).status_code == 409
    assert api.post("/api/v1/spaces", json={"name": "X", "slug": "Bad Slug!"}).status_code == 400
    r = api.post("/api/v1/spaces/support/pages", json={"title": "", "body": "x"})
    assert r.status_code == 400
    r = api.post("/api/v1/spaces/support/pages", json={"title": "T", "parent_id": "7"})
    assert r.status_code == 400
    assert api.post("/api/v1/spaces/nope/pages", json={"title": "T"}).status_code == 404
    assert api.get("/api/v1/pages/999999").status_code == 404
    anonymous = api.client.get("/api/v1/pages/1")
    assert anonymous.status_code == 401


def test_a_long_page_round_trips(api):
    body = "".join(f"Paragraph {i}: " + "word " * 40 + "\n\n" for i in range(400))  # about 100 KB
    page = _space_and_page(api, body)
    r = api.put(f"/api/v1/pages/{page['id']}", json={"body": body + "The end.\n", "base_revision": 1})
    assert r.status_code == 200, r.get_json()
    assert api.get(f"/api/v1/pages/{page['id']}").get_json()["body"].endswith("word\n\nThe end.\n")
