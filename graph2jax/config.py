"""Configuration flags, as PyTensor's ``pytensor.config``.

Flags are read from the ``GRAPH2JAX_FLAGS`` environment variable at import
(``GRAPH2JAX_FLAGS="floatX=float32,mode=NUMPY"``) and can be changed for a block
of code with :meth:`Config.change_flags`.

Importing graph2jax turns on JAX's 64-bit mode (``jax_enable_x64``) for the
whole process, so that a float64 graph computes in float64. Other JAX code in
the same process then also sees 64-bit defaults (``jnp.arange(3)`` is int64).
Importing graph2jax leaves numpy's global random state as it found it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

import numpy as np

# Importing jax draws from numpy's global random state (a default argument in
# jax/_src/clusters/k8s_cluster.py); a ported script seeding np.random before
# importing graph2jax must see the numbers it would see without the import.
_numpy_random_state = np.random.get_state()
import jax  # noqa: E402

np.random.set_state(_numpy_random_state)
del _numpy_random_state

jax.config.update("jax_enable_x64", True)

_CHOICES: dict[str, tuple[str, ...] | None] = {
    "floatX": ("float64", "float32"),
    "mode": ("FAST_RUN", "FAST_COMPILE", "JAX", "NUMPY", "DebugMode"),
    "device": None,
    "compile_cache_dir": None,
    "compile_cache_size_mb": None,
    "profile": None,
    "trace_fold_limit": None,
    "recompile_warning_limit": None,
    "matmul_precision": ("highest", "high", "default"),
    "compute_test_value": ("off", "ignore", "warn", "raise", "pdb"),
    "print_test_value": None,
    "check_index_bounds": None,
    "cxx": ("",),
}


class Config:
    """The process-wide flags.

    Attributes
    ----------
    floatX : str
        Default float dtype of constructors and of python floats, ``'float64'``
        (default) or ``'float32'``.
    mode : str
        Default compilation mode of :func:`graph2jax.function`.
    device : str or None
        Where shared values, inputs and results are placed: ``'kind'`` or
        ``'kind:index'`` (``'cpu'``, ``'gpu'``, ``'gpu:1'``; ``'gpu'`` is
        ``'gpu:0'``). None (default) is JAX's default device. Read when a
        value is stored and when a function is compiled; setting a device
        that does not exist raises ``ValueError`` naming the available ones.
    compile_cache_dir : str or None
        Directory of the compile cache across processes (see the docs' page
        "Compile cache"): compiled executables are stored in its
        ``graph2jax-executables`` folder and loaded by later processes.
        None (default) leaves it off.
    compile_cache_size_mb : float
        Size limit of the cache's entries (default 1024 MiB); beyond it the
        least recently used entries are deleted.
    profile : bool
        When True, every function is profiled and a summary of all of them is
        printed at exit.
    trace_fold_limit : int
        Largest number of elements a node may produce when it is evaluated with
        numpy at trace time (its inputs all being known values); larger results
        are computed by XLA instead of being baked into the program. Array
        constants of the graph with more elements are passed to the compiled
        program as arguments (placed on the device once), not embedded in it.
    recompile_warning_limit : int
        How many compilations one compiled callable of a function may make
        before each further one warns with
        :class:`~graph2jax.compile.RecompileWarning`, naming the inputs whose
        shape, dtype or static value changed since the previous compilation
        (default 20; 0 never warns).
    matmul_precision : str
        Precision of the products (``dot``, ``matmul``, ``tensordot``,
        ``einsum``...) in compiled functions, read when a function is
        compiled: ``'highest'`` (default) computes float32 products in full
        float32, as PyTensor and numpy do; ``'high'`` and ``'default'`` let
        XLA use faster, less precise passes (on NVIDIA GPUs ``'default'``
        rounds float32 operands to TensorFloat-32, about 3 decimal digits).
        On CPUs all three give the same results.
    compute_test_value : str
        PyTensor 2.x's build-time debugging (its debugging FAQ): ``'off'``
        (default); otherwise building a node whose inputs all have test values
        (``x.tag.test_value``, constants, shared variables) runs its ``perform``
        and sets the outputs' ``tag.test_value``, so a shape error is raised
        where the graph is built. A missing test value is skipped
        (``'ignore'``), warned about (``'warn'``) or a ``ValueError`` (``'raise'``);
        ``'pdb'`` opens the debugger.
    print_test_value : bool
        When True, ``repr`` of a variable with a test value shows it.
    check_index_bounds : bool
        When True (default), an index computed at run time that is out of
        range raises ``IndexError`` as numpy does, and the failed call changes
        no shared variable; when False, compiled functions skip the check and
        JAX's behaviour applies (reads clamp the index, writes drop it). Read
        when a function is compiled; ``Mode(check_index_bounds=...)`` decides
        for one mode.
    cxx : str
        PyTensor's C compiler command; always ``''`` (graph2jax compiles with
        XLA and has no C backend), so a script's ``if config.cxx:`` takes
        PyTensor's no-C-compiler branch.
    """

    def __init__(self) -> None:
        self.floatX = "float64"
        self.mode = "FAST_RUN"
        self.device = None
        self.compile_cache_dir = None
        self.compile_cache_size_mb = 1024.0
        self.profile = False
        self.trace_fold_limit = 4096
        self.recompile_warning_limit = 20
        self.matmul_precision = "highest"
        self.compute_test_value = "off"
        self.print_test_value = False
        self.check_index_bounds = True
        self.cxx = ""
        for item in filter(None, os.environ.get("GRAPH2JAX_FLAGS", "").split(",")):
            key, _, value = item.partition("=")
            self._set(key.strip(), value.strip())

    def _set(self, key: str, value: Any) -> None:
        if key not in _CHOICES:
            raise ValueError(f"graph2jax.config has no flag {key!r}; flags: {sorted(_CHOICES)}")
        choices = _CHOICES[key]
        if choices is not None and value not in choices:
            raise ValueError(f"config.{key} must be one of {choices}, got {value!r}")
        if key in ("profile", "print_test_value", "check_index_bounds") and isinstance(value, str):
            value = value.lower() in ("1", "true", "yes")
        if key in ("trace_fold_limit", "recompile_warning_limit"):
            value = int(value)
        if key == "device" and value is not None:
            find_device(str(value))  # refused now, not at the first compilation
        if key == "compile_cache_size_mb":
            value = float(value)
        object.__setattr__(self, key, value)

    def __setattr__(self, key: str, value: Any) -> None:
        self._set(key, value)

    def placement(self) -> jax.Device | None:
        """The ``jax.Device`` named by :attr:`device`, or None for JAX's default.

        Examples
        --------
        >>> from graph2jax.config import config
        >>> with config.change_flags(device="cpu:0"):
        ...     config.placement().platform
        'cpu'
        """
        return None if self.device is None else find_device(self.device)

    @contextlib.contextmanager
    def change_flags(self, **flags: Any) -> Iterator[None]:
        """Set flags for the duration of a ``with`` block, then restore them."""
        old = {key: getattr(self, key) for key in flags if key in _CHOICES}
        try:
            for key, value in flags.items():
                self._set(key, value)
            yield
        finally:
            for key, value in old.items():
                self._set(key, value)


def find_device(name: str, what: str = "config.device") -> jax.Device:
    """The device ``'kind'`` or ``'kind:index'`` (``'gpu'`` is ``'gpu:0'``).

    Parameters
    ----------
    name : str
    what : str
        Who asked, for the error message.

    Raises
    ------
    ValueError
        No such device; the message names the available ones.

    Examples
    --------
    >>> from graph2jax.config import find_device
    >>> find_device("cpu").platform
    'cpu'
    """
    kind, _, index = name.partition(":")
    try:
        found = jax.devices(kind)[int(index or 0)]
    except (RuntimeError, IndexError, ValueError):  # an unknown backend, index or number
        available = ", ".join(f"{d.platform}:{d.id}" for d in jax.devices())
        raise ValueError(
            f"{what}={name!r}: no such device; available devices: {available}"
        ) from None
    return found


config = Config()
