"""Speed-ups that keep every check of the slow path: each module here has its own tests under tests/perf/.

session_cookies: the verified-session-cookie cache and the once-per-second signer.
user_cache: the signed-in user built from cached column values, and how it joins a request's ORM session.
change_signal: a cheap cross-process "a user row changed" stamp that empties every process's user cache at once.
raw_query: one compiled SELECT on a pooled driver connection, for the hottest reads.
"""
