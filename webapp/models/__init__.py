"""SQLAlchemy models, one module per aggregate. Importing this package registers them all."""
from webapp.models.jobs import Job
from webapp.models.users import ApiToken, Invite, LoginAttempt, User
from webapp.models.videos import Upload, Video

__all__ = ["ApiToken", "Invite", "Job", "LoginAttempt", "Upload", "User", "Video"]
