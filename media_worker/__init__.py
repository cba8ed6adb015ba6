"""The media worker: turns uploaded sources into posters, storyboards, MP4 and HLS, following the job contract.

handlers.py describes the job flow, the storage-key layout and the sandbox rules; runner.py runs one attempt.
"""
