"""The people of the transcript tests (owner, another member, an admin), and the browser tests' videos."""
from tests.browser.conftest import admin, admin_page, make_video, renditions, sample_video  # noqa: F401
from tests.transcripts.conftest import people  # noqa: F401
