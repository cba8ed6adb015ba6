"""The only modules that talk to boto3, Celery, Whoosh and the Markdown toolchain."""
