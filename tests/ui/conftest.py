"""The browser fixtures of tests/browser (a signed-in admin page, videos in a given state), shared here."""
from tests.browser.conftest import admin, admin_page, make_video, renditions, sample_video  # noqa: F401
