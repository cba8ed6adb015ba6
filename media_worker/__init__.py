"""The media worker: turns uploaded sources into posters, storyboards, MP4 and HLS, following the job contract."""
