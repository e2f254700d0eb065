"""One page asked the same question twice (a family detects a page, then parses it;
several families read its tables): the last pages' answers are kept. Pages are
immutable records, so a page is known by identity."""
from __future__ import annotations

import functools
from typing import Any, Callable, Optional


def per_page(size: int = 64, key: Optional[Callable[..., Any]] = None):
    """Keep `fn(page, *args)`'s answers for the last `size` pages it was asked about.
    `key(*args)`: what of the other arguments tells answers apart (default: nothing,
    the page alone decides). Callers must not change what they get back."""
    def wrap(fn):
        recent: list[tuple[Any, Any, Any]] = []

        @functools.wraps(fn)
        def cached(page, *args):
            extra = key(*args) if key is not None else None
            for seen, seen_extra, answer in recent:
                if seen is page and seen_extra == extra:
                    return answer
            answer = fn(page, *args)
            recent.append((page, extra, answer))
            del recent[:-size]
            return answer

        cached.cache_clear = recent.clear
        return cached
    return wrap
