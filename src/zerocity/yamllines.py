"""YAML with line numbers: configuration errors that point at the line a user must fix.

Scenario models and target configurations are YAML files validated by pydantic; a pydantic error
location (``demand.industry.intensity.coal``) becomes a line number through the map this reader
builds while composing the document.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from zerocity.errors import ZerocityError

__all__ = ["YamlSyntaxError", "compose_with_lines", "line_of"]

Lines = dict[tuple[str, ...], int]


class YamlSyntaxError(ZerocityError, ValueError):
    """Text that is not valid YAML; ``line`` is 1-based (None when unknown)."""

    code = "yaml"

    def __init__(self, line: int | None, message: str) -> None:
        self.line = line
        super().__init__(message)


def compose_with_lines(text: str) -> tuple[Any, Lines]:
    """Parse YAML (safe subset) and return the data with the line of every key and list item."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise YamlSyntaxError(mark.line + 1 if mark is not None else None, f"not valid YAML: {exc}") from None
    lines: Lines = {}
    loader = yaml.SafeLoader("")

    def walk(n: yaml.Node | None, path: tuple[str, ...]) -> Any:
        if n is None:
            return None
        lines.setdefault(path, n.start_mark.line + 1)
        if isinstance(n, yaml.MappingNode):
            out: dict[str, Any] = {}
            for k, v in n.value:
                key = str(loader.construct_object(k, deep=True))
                lines[(*path, key)] = k.start_mark.line + 1
                out[key] = walk(v, (*path, key))
            return out
        if isinstance(n, yaml.SequenceNode):
            return [walk(v, (*path, str(i))) for i, v in enumerate(n.value)]
        return loader.construct_object(n, deep=True)

    return walk(node, ()), lines


def line_of(lines: Mapping[tuple[str, ...], int], path: tuple[str, ...]) -> int | None:
    """Line of a path, or of its nearest ancestor that has one."""
    for i in range(len(path), -1, -1):
        if path[:i] in lines:
            return lines[path[:i]]
    return None
