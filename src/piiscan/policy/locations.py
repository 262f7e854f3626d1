"""Location patterns: path globs for shares, `where#schema.table` for databases.

Locations are what the scanner reports: `finance/dons/2025.csv`, an archive
member `mail/2023.zip!donors.csv`, a table of a database file
`crm/participants.db!participants`, a table reached by URL
`postgresql://scanner@db/crm#public.donors`. Matching ignores case (shares
are mostly served by Windows or Samba, where `Finance` and `finance` are one
folder).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def _glob(pattern: str, star: str) -> str:
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**", i):
            i += 2
            if pattern.startswith("/", i):  # "a/**/b" also matches "a/b"
                out.append("(?:.*/)?")
                i += 1
            else:
                out.append(".*")
            continue
        out.append(star if c == "*" else "[^/]" if c == "?" else re.escape(c))
        i += 1
    return "".join(out)


@dataclass(frozen=True, slots=True)
class LocationPattern:
    """One declared location; `matches` is called for every finding, so it is compiled once."""

    text: str
    regex: re.Pattern[str]
    covers_members: bool = True

    @classmethod
    def parse(cls, text: str) -> "LocationPattern":
        raw = text.strip().replace("\\", "/")
        if not raw:
            raise ValueError("an empty location")
        if "#" in raw:
            # A database table: URLs hold slashes, so '*' crosses them here.
            where, _, table = raw.partition("#")
            body = _glob(where, "[^#]*") + "#" + _glob(table, ".*")
        else:
            path = raw
            while path.startswith("./"):
                path = path[2:]
            if path.endswith("/"):
                path += "**"
            body = _glob(path, "[^/!]*")
            if not any(ch in path for ch in "*?"):
                body += "(?:[/!].*)?"  # a plain folder or file name covers what is inside
        return cls(text, re.compile(body, re.IGNORECASE | re.DOTALL), "!" not in raw)

    def matches(self, location: str) -> bool:
        if self.regex.fullmatch(location):
            return True
        # A pattern naming an archive or a database file covers its members.
        if self.covers_members and "!" in location:
            parts = location.split("!")
            return any(self.regex.fullmatch("!".join(parts[:i])) for i in range(1, len(parts)))
        return False

    def __str__(self) -> str:
        return self.text


def outer_file(location: str) -> str:
    """The file on disk that holds a location (an archive member lives in its archive)."""
    return location.split("!", 1)[0]
