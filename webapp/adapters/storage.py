"""Media storage behind one interface: LocalStorage (files on disk) or S3Storage (boto3), chosen by name."""
from __future__ import annotations

import mimetypes
import os
import shutil
from pathlib import Path, PurePosixPath

from flask import Response, current_app, redirect, request
from werkzeug.http import parse_range_header
from werkzeug.utils import send_file as werkzeug_send_file

mimetypes.add_type("application/vnd.apple.mpegurl", ".m3u8")
mimetypes.add_type("video/mp2t", ".ts")
mimetypes.add_type("text/vtt", ".vtt")
mimetypes.add_type("video/webm", ".webm")
mimetypes.add_type("video/mp4", ".m4s")


class StorageError(Exception):
    pass


def check_key(key: str) -> str:
    """Keys are relative POSIX paths without '..': the same key is valid on disk and in S3."""
    p = PurePosixPath(key)
    if not key or p.is_absolute() or ".." in p.parts or "\\" in key or "\x00" in key:
        raise StorageError(f"invalid storage key: {key!r}")
    return str(p)


def guess_type(key: str) -> str:
    return mimetypes.guess_type(key)[0] or "application/octet-stream"


class Storage:
    name = "abstract"

    def put_file(self, key: str, path: str | os.PathLike) -> None: ...
    def put_bytes(self, key: str, data: bytes) -> None: ...
    def get_file(self, key: str, path: str | os.PathLike) -> None: ...

    def materialize(self, key: str, path: str | os.PathLike) -> None:
        """Put the object's bytes at `path` as cheaply as the backend allows, for reading only (it may be the
        stored file itself, hard-linked: never write to it)."""
        self.get_file(key, path)

    def read_bytes(self, key: str) -> bytes: ...
    def exists(self, key: str) -> bool: ...
    def size(self, key: str) -> int: ...
    def version(self, key: str) -> str:
        """A cheap token that changes whenever the object's bytes are replaced (no read of its content)."""
        ...
    def delete_prefix(self, prefix: str) -> None: ...
    def serve(self, key: str, *, download_name: str | None = None) -> Response: ...
    def check(self) -> None:
        """Raise if the backend cannot be reached (used by /healthz)."""


def satisfiable_range(header: str | None, size: int) -> str | None:
    """The Range header to hand werkzeug, which answers 416 to two requests RFC 9110 says are fine.

    A suffix range longer than the file (bytes=-N, N > size) means the whole file, as a 206; a multi-range
    request may be answered with the whole file as a 200 (simpler for every client than multipart), so its
    Range is dropped (None). Anything else goes through unchanged, including what werkzeug rightly refuses.
    """
    if not header or "," in header:  # several ranges, in whatever order werkzeug would refuse
        return None
    parsed = parse_range_header(header)
    if parsed is None or parsed.units != "bytes":
        return header
    start, end = parsed.ranges[0]
    if start < 0 and end is None and -start > size > 0:
        return "bytes=0-"
    return header


class LocalStorage(Storage):
    name = "local"

    def __init__(self, root: str):
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put_file(self, key, path):
        dest = self.path(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(dest.name + ".tmp")
        try:
            os.link(path, tmp)  # same filesystem: no copy
        except OSError:
            shutil.copyfile(path, tmp)
        os.replace(tmp, dest)

    def move_file(self, key, path):
        """Take ownership of a file (an upload just finished): a rename when on the same disk."""
        dest = self.path(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(path, dest)
        except OSError:
            shutil.move(path, dest)

    def put_bytes(self, key, data):
        dest = self.path(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(dest.name + ".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, dest)

    def get_file(self, key, path):
        src = self.path(key)
        if not src.exists():
            raise FileNotFoundError(key)
        shutil.copyfile(src, path)

    def materialize(self, key, path):
        # A hard link costs the same for 10 s and 10 min of video; the worker only reads it, and a source key
        # is written once (its file is replaced, never rewritten in place), so the link stays true.
        src = self.path(key)
        if not src.exists():
            raise FileNotFoundError(key)
        try:
            os.link(src, path)
        except OSError:  # another filesystem (scratch elsewhere), or no links there
            shutil.copyfile(src, path)

    def read_bytes(self, key):
        return self.path(key).read_bytes()

    def exists(self, key):
        return self.path(key).is_file()

    def size(self, key):
        return self.path(key).stat().st_size

    def version(self, key):
        st = self.path(key).stat()  # a source is replaced by a rename, never rewritten: a new inode and mtime
        return f"{st.st_ino:x}-{st.st_size:x}-{st.st_mtime_ns:x}"

    def delete_prefix(self, prefix):
        target = self.path(prefix)
        if target.is_dir():
            shutil.rmtree(target, ignore_errors=True)
        elif target.exists():
            target.unlink()

    def serve(self, key, *, download_name=None):
        path = self.path(key)
        if not path.is_file():
            from werkzeug.exceptions import NotFound

            raise NotFound()
        environ = dict(request.environ)
        fixed = satisfiable_range(environ.get("HTTP_RANGE"), path.stat().st_size)
        if fixed is None:
            environ.pop("HTTP_RANGE", None)
        else:
            environ["HTTP_RANGE"] = fixed
        # conditional=True answers Range requests with 206 and handles If-None-Match.
        return werkzeug_send_file(path, environ, mimetype=guess_type(key), conditional=True,
                                  download_name=download_name, as_attachment=download_name is not None, max_age=0,
                                  use_x_sendfile=current_app.config["USE_X_SENDFILE"],
                                  response_class=current_app.response_class, _root_path=current_app.root_path)

    def check(self):
        if not os.access(self.root, os.W_OK):
            raise StorageError("storage directory is not writable")


class S3Storage(Storage):
    name = "s3"

    def __init__(self, cfg: dict):
        import boto3
        from botocore.config import Config

        self.bucket = cfg["S3_BUCKET"]
        self.presign_seconds = int(cfg["S3_PRESIGN_SECONDS"])
        self.client = boto3.client(
            "s3",
            endpoint_url=cfg["S3_ENDPOINT_URL"] or None,
            region_name=cfg["S3_REGION"] or None,
            aws_access_key_id=cfg["S3_ACCESS_KEY_ID"] or None,
            aws_secret_access_key=cfg["S3_SECRET_ACCESS_KEY"] or None,
            config=Config(
                s3={"addressing_style": "path" if cfg["S3_PATH_STYLE"] else "auto"},
                signature_version="s3v4",
                retries={"max_attempts": 5, "mode": "standard"},
                connect_timeout=10,
                read_timeout=60,
            ),
        )
        if cfg.get("S3_CREATE_BUCKET"):
            self._ensure_bucket()

    def _ensure_bucket(self):
        from botocore.exceptions import ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError:
            self.client.create_bucket(Bucket=self.bucket)

    def put_file(self, key, path):
        # upload_file switches to multipart for big files and aborts the multipart upload on failure.
        self.client.upload_file(str(path), self.bucket, check_key(key), ExtraArgs={"ContentType": guess_type(key)})

    move_file = put_file

    def put_bytes(self, key, data):
        self.client.put_object(Bucket=self.bucket, Key=check_key(key), Body=data, ContentType=guess_type(key))

    def get_file(self, key, path):
        from botocore.exceptions import ClientError

        try:
            self.client.download_file(self.bucket, check_key(key), str(path))
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") in ("404", "NoSuchKey"):
                raise FileNotFoundError(key) from e
            raise

    def read_bytes(self, key):
        from botocore.exceptions import ClientError

        try:
            return self.client.get_object(Bucket=self.bucket, Key=check_key(key))["Body"].read()
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") in ("404", "NoSuchKey"):
                raise FileNotFoundError(key) from e
            raise

    def exists(self, key):
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=check_key(key))
            return True
        except ClientError:
            return False

    def size(self, key):
        return self.client.head_object(Bucket=self.bucket, Key=check_key(key))["ContentLength"]

    def version(self, key):
        etag = self.client.head_object(Bucket=self.bucket, Key=check_key(key))["ETag"]
        return "".join(c for c in etag.lower() if c in "0123456789abcdef-")

    def delete_prefix(self, prefix):
        prefix = check_key(prefix)
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
            if keys:
                self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": keys})

    def presigned_url(self, key, *, download_name=None):
        params = {"Bucket": self.bucket, "Key": check_key(key), "ResponseContentType": guess_type(key)}
        if download_name:
            params["ResponseContentDisposition"] = f'attachment; filename="{download_name}"'
        return self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=self.presign_seconds)

    def serve(self, key, *, download_name=None):
        resp = redirect(self.presigned_url(key, download_name=download_name), code=302)
        # The presigned URL must not outlive its signature in a cache.
        resp.headers["Cache-Control"] = "private, no-store"
        return resp

    def check(self):
        self.client.head_bucket(Bucket=self.bucket)


def build_storage(cfg: dict) -> Storage:
    if cfg["STORAGE"] == "local":
        return LocalStorage(cfg["STORAGE_DIR"])
    if cfg["STORAGE"] == "s3":
        return S3Storage(cfg)
    raise ValueError(f"PARLEY_STORAGE must be 'local' or 's3', not {cfg['STORAGE']!r}")


def init_app(app) -> None:
    app.extensions["parley_storage"] = build_storage(app.config)


def storage() -> Storage:
    return current_app.extensions["parley_storage"]
