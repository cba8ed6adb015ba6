"""The baseline of upload_throughput.py: a bare Flask route that streams a request body to a file."""
from __future__ import annotations

import os

from flask import Flask, request

app = Flask(__name__)
TARGET = os.environ.get("BARE_UPLOAD_TARGET", "bare-upload.bin")
READ = 1024 * 1024


@app.route("/upload", methods=["PATCH"])
def upload():
    # The least a tus PATCH must do: read the body in bounded steps and append it to a file.
    # ?fsync=1 also makes it durable before answering, as tus does before it moves the offset.
    with open(TARGET, "ab", buffering=0) as f:
        while True:
            chunk = request.stream.read(READ)
            if not chunk:
                break
            f.write(chunk)
        if request.args.get("fsync") == "1":
            os.fdatasync(f.fileno())
    return "", 204
