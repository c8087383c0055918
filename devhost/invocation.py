"""Calling a user function the way the Python worker does: by keyword, sync or async."""

from __future__ import annotations

import asyncio
import inspect
import typing
from collections.abc import Callable
from typing import Any


def call(user_function: Callable[..., Any], arguments: dict[str, Any]) -> Any:
    """Run the function to completion in the calling thread (a worker thread, never the event loop)."""
    if inspect.iscoroutinefunction(user_function):
        return asyncio.run(user_function(**arguments))
    return user_function(**arguments)


def annotation_of(user_function: Callable[..., Any], parameter: str) -> Any:
    """The declared type of a parameter, resolving string annotations where possible (None when absent)."""
    try:
        hints = typing.get_type_hints(user_function)
    except Exception:  # noqa: BLE001 - unresolvable annotations: fall back to the raw text
        hints = {}
    if parameter in hints:
        return hints[parameter]
    try:
        declared = inspect.signature(user_function).parameters[parameter].annotation
    except (KeyError, TypeError, ValueError):
        return None
    return None if declared is inspect.Parameter.empty else declared
