"""Breach assessment: who is affected, what of theirs was exposed, what to tell whom.

`piiscan breach` scans what was exposed with the real engine, holding raw
values in memory only (they are needed to notify people, never stored in
the shared store), links findings into persons (`link`), and writes the
owner-only outputs a privacy officer needs under PIPEDA and Quebec's Law 25.
"""
