"""Domain operations shared by views, the API, the CLI and the media worker."""
