"""Heavy libraries imported at first use, so that building the registry stays cheap.

Every run loads every plugin module, and an unchanged rescan reads nothing:
it should not pay for SQLAlchemy, openpyxl or PDFium. `lazy_module(name)`
checks at once that the library is installed, so a plugin whose dependency
is missing still fails to load and is listed unavailable with the reason
`import` gives, but runs the import only when an attribute is first read.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any


class LazyModule:
    """Stands for a module until an attribute is read; from then on it shares the module's namespace.

    Sharing the namespace (not copying attributes) keeps reads as cheap as
    the module's own, in readers' per-cell loops, and sees globals the
    library rebinds later (PIL.Image.MAX_IMAGE_PIXELS).
    """

    __slots__ = ("_lazy_name", "_lazy_module", "__dict__")

    def __init__(self, name: str) -> None:
        top = name.partition(".")[0]
        if importlib.util.find_spec(top) is None:  # finds, does not import
            raise ModuleNotFoundError(f"No module named {top!r}", name=top)
        self._lazy_name = name
        self._lazy_module: Any = None

    def __getattr__(self, attr: str) -> Any:  # only for names not (yet) in the namespace
        if self._lazy_module is None:
            if attr.startswith("__") and attr.endswith("__"):  # introspection is no reason to import
                raise AttributeError(attr)
            self._lazy_module = importlib.import_module(self._lazy_name)
            self.__dict__ = self._lazy_module.__dict__
        return getattr(self._lazy_module, attr)  # a module-level __getattr__, or AttributeError

    def __repr__(self) -> str:
        return f"<lazy module {self._lazy_name!r}>"


def lazy_module(name: str) -> Any:
    """`name` (dotted names allowed) to be imported at first use; raises now if not installed."""
    return LazyModule(name)
