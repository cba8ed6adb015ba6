from webapp.adapters.storage import storage


def test_healthz_reports_every_dependency(stack_app):
    r = stack_app.test_client().get("/healthz")
    body = r.get_json()
    assert r.status_code == 200, body
    assert set(body["checks"]) == {"database", "broker", "storage", "workers"}
    assert all(c["ok"] for c in body["checks"].values())


def test_storage_round_trip(stack_app, tmp_path):
    src = tmp_path / "x.bin"
    src.write_bytes(b"hello" * 1000)
    store = storage()
    store.put_file("renditions/abc/x.bin", src)
    assert store.exists("renditions/abc/x.bin")
    assert store.size("renditions/abc/x.bin") == 5000
    assert store.read_bytes("renditions/abc/x.bin") == b"hello" * 1000
    store.delete_prefix("renditions/abc")
    assert not store.exists("renditions/abc/x.bin")
