"""A realistic wiki page for the wiki benchmarks: about 2,000 words with headings, code blocks, a table, links."""
from __future__ import annotations

import random

WORDS = ("deploy release build server cache queue worker request latency database index page video team "
         "review merge branch config secret token storage bucket upload render preview history revision link "
         "space search answer question screen record share comment thread notify watch trash restore export").split()


def page_markdown(words: int = 2000, seed: int = 7) -> str:
    rnd = random.Random(seed)
    parts, count, section = [], 0, 0
    while count < words:
        section += 1
        parts.append(f"## Section {section}: {rnd.choice(WORDS)} {rnd.choice(WORDS)}\n")
        for _ in range(3):
            sentence = " ".join(rnd.choice(WORDS) for _ in range(60))
            parts.append(sentence.capitalize() + ". See [[Section guide]] and [[Glossary]].\n")
            count += 62
        if section % 2:
            parts.append("```python\ndef handler(request):\n    \"\"\"Answer one request.\"\"\"\n"
                         "    user = load_user(request.headers['Authorization'])\n"
                         "    return {'ok': True, 'user': user.id}  # a comment\n```\n")
        else:
            parts.append("| step | owner | minutes |\n|:--|:--|--:|\n" + "".join(
                f"| {rnd.choice(WORDS)} | {rnd.choice(WORDS)} | {rnd.randint(1, 90)} |\n" for _ in range(6)))
    return "\n".join(parts)
