"""A video's transcript over HTTP: its JSON for the watch page, captions (WebVTT, SubRip), caption upload, rerun,
its history (a diff per revision, restore) and the signed-in person's captions preference."""
from __future__ import annotations

import io

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from werkzeug.exceptions import BadRequest, Forbidden, NotFound, RequestEntityTooLarge

from webapp import http_input, policy
from webapp.errors import Invalid, ServiceError, TooLarge, status_of
from webapp.extensions import db
from webapp.services import captions, jobs, transcript_revisions, transcripts
from webapp.services import videos as video_rules
from webapp.uploads.form import wants_json
from webapp.videos import visible_or_404

bp = Blueprint("transcripts", __name__)

FORM_OVERHEAD = 64 * 1024  # multipart boundaries and the CSRF token around the file
MAX_FORM_PARTS = 10


def bound_caption_upload() -> None:
    """Limit this request's body to a caption file's size before anything parses the form (a huge body is
    refused unread). Called from url_value_preprocessors, which run before the CSRF check."""
    if request.method == "POST":
        req = request._get_current_object()
        req.max_content_length = captions.MAX_BYTES + FORM_OVERHEAD
        req.max_form_parts = MAX_FORM_PARTS


@bp.url_value_preprocessor
def _bound(endpoint, _values):
    if endpoint == "transcripts.upload_captions":
        bound_caption_upload()


@bp.errorhandler(ServiceError)
def _service_error(e: ServiceError):
    """The one place this blueprint turns a service's error kind into an answer."""
    db.session.rollback()
    if wants_json():
        return jsonify(error=str(e)), status_of(e)
    video_id = (request.view_args or {}).get("video_id")
    if request.method == "POST" and video_id and status_of(e) not in (403, 404):
        flash(str(e), "error")  # a refused upload on a video the user manages: say why on its page
        return redirect(url_for("videos.watch", video_id=video_id))
    return current_app.handle_http_exception(_HTTP.get(status_of(e), BadRequest)(str(e)))


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_e):
    # Raised while the form is parsed (before the view runs): the same answer as a service's TooLarge.
    return _service_error(TooLarge(captions.TOO_LARGE))


_HTTP = {404: NotFound, 403: Forbidden}


def _no_store(resp):
    # A transcript changes while it is made and when captions are uploaded: never answer from a stale copy.
    resp.headers["Cache-Control"] = "private, no-cache"
    return resp


@bp.route("/v/<video_id>/transcript.json")
@login_required
def transcript_json(video_id):
    """Read by the watch page's transcript panel."""
    return _no_store(jsonify(transcripts.view(visible_or_404(video_id))))


def captions_response(video, fmt: str):
    """The caption file, shown in place or (with ?download=1) saved under a name made from the title."""
    body, content_type = captions.caption_file(video, fmt)
    resp = send_file(io.BytesIO(body.encode("utf-8")), mimetype=content_type, etag=False,
                     as_attachment=request.args.get("download") == "1",
                     download_name=captions.download_name(video, fmt))
    resp.headers["Content-Type"] = content_type  # as it is: Flask would add a second charset to a text/ type
    return _no_store(resp)


@bp.route("/v/<video_id>/captions.vtt")
@login_required
def captions_vtt(video_id):
    return captions_response(visible_or_404(video_id), "vtt")


@bp.route("/v/<video_id>/captions.srt")
@login_required
def captions_srt(video_id):
    return captions_response(visible_or_404(video_id), "srt")


def uploaded_file() -> tuple[str, bytes]:
    """(file name, bytes) of the form's `file` part, read no further than the size limit allows."""
    part = request.files.get("file")
    if part is None or not (part.filename or "").strip():
        raise Invalid("Choose a caption file (.vtt or .srt) to upload, in the form field `file`.")
    data = part.stream.read(captions.MAX_BYTES + 1)
    if len(data) > captions.MAX_BYTES:
        raise TooLarge(captions.TOO_LARGE)
    return part.filename, data


@bp.route("/v/<video_id>/captions", methods=["POST"])
@login_required
def upload_captions(video_id):
    video = video_rules.get_managed(current_user, video_id)  # before the file: a viewer learns nothing from it
    filename, data = uploaded_file()
    current = captions.replace_from_file(current_user, video, filename, data)
    if wants_json():
        return jsonify(transcripts.view(video))
    flash(f"Captions uploaded: {len(current.segments)} captions now make up the transcript.", "success")
    return redirect(url_for("videos.watch", video_id=video.id))


@bp.route("/v/<video_id>/transcript/rerun", methods=["POST"])
@login_required
def rerun(video_id):
    video = video_rules.get_managed(current_user, video_id)
    job = transcripts.rerun(current_user, video)  # commits
    jobs.send(job)
    if wants_json():
        return jsonify(transcripts.view(video)), 202
    flash("Transcription started again.", "success")
    return redirect(url_for("videos.watch", video_id=video.id))


@bp.route("/v/<video_id>/transcript/history")
@login_required
def history(video_id):
    video = visible_or_404(video_id)
    return _no_store(current_app.make_response(render_template(
        "transcripts/history.html", video=video, revisions=transcript_revisions.history(video),
        label=transcript_revisions.author_label, can_manage=policy.can(current_user, policy.MANAGE, video))))


@bp.route("/v/<video_id>/transcript/history/<int:number>")
@login_required
def revision(video_id, number):
    """One revision against the one before it, a line per segment, with "Restore this version" for owners."""
    video = visible_or_404(video_id)
    new, old, rows = transcript_revisions.diff(video, number)
    is_current = new.number == transcripts.latest_number(video.id)
    return _no_store(current_app.make_response(render_template(
        "transcripts/revision.html", video=video, new=new, old=old, rows=rows, is_current=is_current,
        label=transcript_revisions.author_label, can_manage=policy.can(current_user, policy.MANAGE, video))))


@bp.route("/v/<video_id>/transcript/history/<int:number>/restore", methods=["POST"])
@login_required
def restore(video_id, number):
    rev = transcript_revisions.restore(current_user, video_id, number)  # commits
    if wants_json():
        return jsonify(transcript_revisions.as_json(rev))
    flash(f"Revision {number} of the transcript is current again (as revision {rev.number}).", "success")
    return redirect(url_for("videos.watch", video_id=video_id))


@bp.route("/account/captions", methods=["POST"])
@login_required
def captions_preference():
    """The CC button's state, kept with the person so every browser they use starts the same way."""
    if request.is_json:
        on = http_input.json_object(1024).get("on")
    else:
        # The account page's checkbox comes after a hidden "0": an unticked box sends only that, a ticked one both.
        on = {"1": True, "on": True, "true": True, "0": False, "off": False, "false": False}.get(
            (request.form.getlist("on") or [""])[-1])
    if not isinstance(on, bool):
        raise Invalid("Say whether captions start on: {\"on\": true} or {\"on\": false}.")
    saved = captions.set_preference(current_user, on)
    if request.is_json or wants_json():
        return jsonify(captions_on=saved)
    flash("Captions will show when a video starts." if saved else "Videos will start without captions.", "success")
    return redirect(url_for("auth.account"))
