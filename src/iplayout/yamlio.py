"""The one YAML loader of the project: safe, size-capped and proof against alias bombs.

Every YAML file iplayout reads (mappings, run plans, evaluation specs, notebook parameter declarations,
package metadata, import records) goes through :func:`load_yaml`. It uses PyYAML's ``SafeLoader``
(no Python objects are ever constructed) and adds two limits that the safe loader lacks:

* **document size** — at most :data:`MAX_BYTES` bytes are read (a plan or spec is a few kB);
* **expanded size** — aliases (``*name``) let a tiny file denote a huge tree ("billion laughs":
  nine levels of ten aliases each are 10⁹ nodes). The composed node graph is measured *with* alias
  expansion in linear time (each node's expanded size is memoised) and refused above
  :data:`MAX_NODES`; recursive aliases are refused too. Nothing is expanded before the check, so a
  refusal is immediate, and the message never echoes the (expanded) input.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import SpecError, shorten

#: a YAML input larger than this is refused unread (bytes)
MAX_BYTES = 2_000_000
#: largest tree (scalars + collections, aliases counted as often as they are used) a document may denote
MAX_NODES = 200_000


def _expanded_size(root: yaml.Node, limit: int) -> int:
    """Number of nodes ``root`` stands for once every alias is expanded (stops counting past ``limit``)."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    # iterative post-order walk: deep nesting cannot overflow Python's recursion limit
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            if isinstance(node, yaml.SequenceNode):
                children = node.value
            elif isinstance(node, yaml.MappingNode):
                children = [n for pair in node.value for n in pair]
            else:
                children = []
            sizes[key] = min(limit + 1, 1 + sum(sizes[id(c)] for c in children))
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise SpecError("recursive YAML alias (a node that contains itself)")
        on_path.add(key)
        stack.append((node, True))
        if isinstance(node, yaml.SequenceNode):
            stack.extend((c, False) for c in node.value if id(c) not in sizes)
        elif isinstance(node, yaml.MappingNode):
            stack.extend((c, False) for pair in node.value for c in pair if id(c) not in sizes)
    return sizes[id(root)]


def parse_yaml(text: str, *, source: str = "<yaml>", max_nodes: int = MAX_NODES) -> Any:
    """Parse one YAML document safely; raise :class:`SpecError` naming ``source`` on any problem."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise SpecError(f"{source}: YAML document larger than {MAX_BYTES:,} bytes — refused unread")
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        size = _expanded_size(node, max_nodes)
        if size > max_nodes:
            raise SpecError(f"{source}: YAML aliases expand to more than {max_nodes:,} nodes "
                            "(nested aliases, a 'billion laughs' document?) — refused")
        return loader.construct_document(node)
    except SpecError as exc:
        msg = str(exc)
        raise SpecError(msg if msg.startswith(source) else f"{source}: {msg}") from None
    except yaml.YAMLError as exc:
        raise SpecError(f"{source}: invalid YAML: {shorten(str(exc), 600)}") from None
    finally:
        loader.dispose()


def load_yaml(path: str | Path, *, max_nodes: int = MAX_NODES) -> Any:
    """Read and parse a YAML file (UTF-8) with :func:`parse_yaml`'s limits.

    Raises
    ------
    SpecError
        File missing, not a regular file, larger than :data:`MAX_BYTES`, not UTF-8, invalid YAML,
        or aliases expanding beyond ``max_nodes``.
    """
    p = Path(path)
    try:
        if not p.is_file():
            raise SpecError(f"{p}: file not found" if not p.exists() else f"{p}: not a regular file")
        if p.stat().st_size > MAX_BYTES:
            raise SpecError(f"{p}: YAML file larger than {MAX_BYTES:,} bytes — refused unread")
        with open(p, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError(f"{p}: not UTF-8 text (byte {exc.start}); save the file as UTF-8") from None
    except OSError as exc:
        raise SpecError(f"{p}: cannot read: {exc.strerror}") from None
    return parse_yaml(text, source=str(p), max_nodes=max_nodes)
