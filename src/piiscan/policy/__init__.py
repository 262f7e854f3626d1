"""Policies: where each kind of personal data may live, for how long, and who may see it.

`load_policy` reads and validates a YAML policy file (docs/policy.md);
`Policy.observer` records the dates retention is measured from while the
scan reads; `Policy.evaluate` turns a run's findings into `Violation`s.
"""

from .loader import PolicyError, load_policy, parse_policy
from .spec import RULES, Policy, Purpose

__all__ = ["PolicyError", "Policy", "Purpose", "RULES", "load_policy", "parse_policy"]
