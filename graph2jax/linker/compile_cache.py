"""The compile cache across processes: serialized XLA executables on disk, keyed by the graph.

With ``config.compile_cache_dir`` set, each executable a
:class:`~graph2jax.linker.compiled.JaxCompiled` compiles is also written to
``<compile_cache_dir>/graph2jax-executables/<key>.jaxexe`` (JAX's
``serialize_executable``), and a later process building the same function
loads it instead of tracing, lowering and compiling the graph.

The key is a SHA-256 over everything that decides the program: the rewritten
graph's :meth:`~graph2jax.graph.fg.FunctionGraph.structural_key` (ops with
their props and inner graphs, types, wiring, constants' values), the call's
signature (shapes, dtypes, weak types, static values), the donated
arguments, the placement, the compile-time flags (``matmul_precision``,
``trace_fold_limit``, JAX's flags that change a traced program, ``XLA_FLAGS``),
the JAX and jaxlib versions, the backend and its
platform version, and a digest of graph2jax's own source files (an edited
JAX implementation never reuses an old program). A graph holding something
with no stable description (an object whose ``repr`` is its address) is not
cached. An entry that cannot be read (corrupt, truncated, from another
format) counts as a miss: the executable is compiled again and the entry
replaced. Entries are written to a temporary file and renamed, so a reader
never sees half an entry. When the entries exceed
``config.compile_cache_size_mb`` the least recently used are deleted.

Hits, misses and load times are reported as JAX monitoring events
(:data:`HIT_EVENT`, :data:`MISS_EVENT`, :data:`LOAD_EVENT`), which
:class:`~graph2jax.compile.profiling.ProfileStats` records.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import os
import pickle
import tempfile
import time
import types
from collections.abc import Hashable, Sequence
from pathlib import Path
from typing import Any

import jax
import jax.monitoring
import jaxlib
import numpy as np
from jax.experimental import serialize_executable

from graph2jax.config import config
from graph2jax.graph.basic import Op, Type
from graph2jax.graph.fg import FunctionGraph

#: the folder of the entries, under ``config.compile_cache_dir``
SUBDIR = "graph2jax-executables"
_SUFFIX = ".jaxexe"
_FORMAT = 1  #: bumped when an entry's layout changes
_STALE_TMP_SECONDS = 3600  #: a temporary file this old is no write in progress

HIT_EVENT = "/graph2jax/compile_cache/hit"
MISS_EVENT = "/graph2jax/compile_cache/miss"
LOAD_EVENT = "/graph2jax/compile_cache/load_duration"


#: JAX flags that change what a traced program computes
_JAX_FLAGS = (
    "jax_enable_x64",
    "jax_default_matmul_precision",
    "jax_numpy_dtype_promotion",
    "jax_numpy_rank_promotion",
    "jax_default_prng_impl",
    "jax_threefry_partitionable",
)


class Unkeyable(Exception):
    """Raised for a value with no description that is the same in every process."""


def stable_text(value: Any) -> str:
    """A text describing ``value`` the same way in every process; ``Unkeyable`` when none exists.

    Examples
    --------
    >>> stable_text((1, "a", None, np.dtype("float32")))
    "(1,'a',None,dtype('float32'),)"
    """
    if isinstance(value, tuple | list):
        return "(" + "".join(stable_text(v) + "," for v in value) + ")"
    if isinstance(value, dict):
        return stable_text(sorted((stable_text(k), stable_text(v)) for k, v in value.items()))
    if isinstance(value, bytes):
        return f"b:{hashlib.sha256(value).hexdigest()}"
    if isinstance(value, np.ndarray):
        return f"a:{value.dtype.str}{value.shape}{stable_text(value.tobytes())}"
    if isinstance(value, type):
        return f"{value.__module__}.{value.__qualname__}"
    if isinstance(value, Op):
        return stable_text(value._key())
    if isinstance(value, FunctionGraph):
        return stable_text(value.structural_key())
    if isinstance(value, Type):
        return f"{stable_text(type(value))}:{value!r}"
    if dataclasses.is_dataclass(value):  # an op's scalar function, reducer...: by its fields
        fields = [getattr(value, f.name) for f in dataclasses.fields(value)]
        return f"{stable_text(type(value))}{stable_text(fields)}"
    if isinstance(value, types.FunctionType):
        # a module-level function by its name; a lambda or closure also by its code and captures
        name = f"f:{value.__module__}.{value.__qualname__}"
        if "<" not in value.__qualname__:
            return name
        code = value.__code__
        cells = [c.cell_contents for c in value.__closure__ or ()]
        return name + stable_text((code.co_code, repr(code.co_consts), code.co_names, cells))
    if callable(value) and hasattr(value, "__name__"):  # a ufunc, a jitted jnp function
        wrapped = getattr(value, "__wrapped__", None)
        if isinstance(wrapped, types.FunctionType):
            return "w:" + stable_text(wrapped)
        return f"c:{type(value).__name__}:{getattr(value, '__module__', '')}.{value.__name__}"
    text = repr(value)
    if " at 0x" in text or " object at " in text:
        raise Unkeyable(text)
    return text


@functools.cache
def _environment() -> str:
    """What the process compiles with: versions, backend, and graph2jax's own source."""
    device = jax.devices()[0]
    package = Path(__file__).resolve().parent.parent
    source = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        source.update(str(path.relative_to(package)).encode())
        source.update(path.read_bytes())
    return stable_text(
        (
            jax_version(),
            jaxlib.__version__,
            device.client.platform,
            device.client.platform_version,
            device.device_kind,
            jax.device_count(),
            source.hexdigest(),
        )
    )


def jax_version() -> str:
    """The JAX version keyed (a function, so a test can pretend another one)."""
    return jax.__version__


def graph_digest(
    fgraph: FunctionGraph, donate_argnums: Sequence[int], placement: Any
) -> str | None:
    """The digest of everything but the call signature; None for a graph that cannot be keyed."""
    try:
        text = stable_text(
            (
                _FORMAT,
                fgraph.structural_key(),
                tuple(donate_argnums),
                None if placement is None else (placement.platform, placement.id),
                config.matmul_precision,
                config.trace_fold_limit,
                [(name, str(getattr(jax.config, name))) for name in _JAX_FLAGS],
                os.environ.get("XLA_FLAGS", ""),
            )
        )
    except Unkeyable:
        return None
    return hashlib.sha256((jax_version() + _environment() + text).encode()).hexdigest()


def signature_text(key: Hashable) -> str:
    """A call signature (:func:`~graph2jax.linker.compiled.signature`) as stable text."""
    items = []
    for item in key:
        if isinstance(item, tuple):  # an array's (shape, dtype, weak type)
            items.append((item[0], str(item[1]), item[2]))
        else:  # a static value (its dtype, shape and bytes) or a plain value
            items.append(getattr(item, "_key", item))
    return stable_text(items)


class ExecutableCache:
    """The on-disk entries of one graph: ``load`` and ``store`` executables by call signature.

    Parameters
    ----------
    directory : str or Path
        ``config.compile_cache_dir``; entries go to its :data:`SUBDIR`.
    digest : str
        :func:`graph_digest` of the graph.
    max_bytes : int
        Entries beyond this total size are evicted, least recently used first.
    """

    def __init__(self, directory: str | os.PathLike, digest: str, max_bytes: int):
        self.folder = Path(directory) / SUBDIR
        self.digest = digest
        self.max_bytes = max_bytes

    def _path(self, signature: Hashable) -> tuple[Path, str]:
        key = hashlib.sha256((self.digest + signature_text(signature)).encode()).hexdigest()
        return self.folder / (key + _SUFFIX), key

    def load(self, signature: Hashable) -> Any | None:
        """The executable stored for ``signature``, or None (a miss: absent or unreadable)."""
        path, key = self._path(signature)
        start = time.perf_counter()
        try:
            with open(path, "rb") as file:
                fmt, stored_key, payload, in_tree, out_tree = pickle.load(file)
            if fmt != _FORMAT or stored_key != key:
                raise ValueError("an entry of another key or format")
            executable = serialize_executable.deserialize_and_load(payload, in_tree, out_tree)
        except FileNotFoundError:
            jax.monitoring.record_event(MISS_EVENT)
            return None
        except Exception:  # corrupt or truncated: compiled again and replaced by the caller
            jax.monitoring.record_event(MISS_EVENT)
            with contextlib.suppress(OSError):
                path.unlink()
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: evicted last
        jax.monitoring.record_event(HIT_EVENT)
        jax.monitoring.record_event_duration_secs(LOAD_EVENT, time.perf_counter() - start)
        return executable

    def store(self, signature: Hashable, compiled: Any) -> None:
        """Write ``compiled`` (a ``jax.stages.Compiled``) for ``signature``, atomically."""
        path, key = self._path(signature)
        try:
            payload, in_tree, out_tree = serialize_executable.serialize(compiled)
            data = pickle.dumps((_FORMAT, key, payload, in_tree, out_tree))
        except Exception:  # an executable the backend cannot serialize: just not cached
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            with os.fdopen(fd, "wb") as file:
                file.write(data)
            os.replace(tmp, path)
        except OSError:  # a read-only or full disk: the function still runs
            with contextlib.suppress(OSError, UnboundLocalError):
                os.unlink(tmp)
            return
        evict(self.folder, self.max_bytes)


def evict(folder: Path, max_bytes: int) -> None:
    """Delete the least recently used entries of ``folder`` until they total ``max_bytes`` or less.

    Temporary files of writes that never finished (older than an hour) are deleted too.
    """
    for path in folder.glob("*.tmp"):  # left by a process killed while writing
        with contextlib.suppress(OSError):
            if time.time() - path.stat().st_mtime > _STALE_TMP_SECONDS:
                path.unlink()
    entries = []
    for path in folder.glob("*" + _SUFFIX):
        with contextlib.suppress(OSError):
            stat = path.stat()
            entries.append((stat.st_mtime, stat.st_size, path))
    total = sum(size for _, size, _ in entries)
    for _, size, path in sorted(entries):
        if total <= max_bytes:
            break
        with contextlib.suppress(OSError):
            path.unlink()
        total -= size


def for_graph(
    fgraph: FunctionGraph, donate_argnums: Sequence[int], placement: Any
) -> ExecutableCache | None:
    """The cache of ``fgraph``'s executables, or None when the cache is off or the graph unkeyable."""
    directory = config.compile_cache_dir
    if not directory:
        return None
    digest = graph_digest(fgraph, donate_argnums, placement)
    if digest is None:
        return None
    return ExecutableCache(directory, digest, int(config.compile_cache_size_mb * 2**20))
