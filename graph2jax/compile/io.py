"""``In`` and ``Out``: options attached to a function's inputs and outputs."""

from __future__ import annotations

from typing import Any

from graph2jax.compile.container import Container
from graph2jax.graph.basic import Variable
from graph2jax.graph.gradtypes import DisconnectedType, NullType
from graph2jax.types.placement import as_sharding
from graph2jax.types.sharedvar import SharedVariable


class In:
    """An input of :func:`graph2jax.function`, with options.

    Parameters
    ----------
    variable : Variable
        The symbolic input.
    name : str, optional
        Keyword name of the input at call time (default: ``variable.name``
        when ``autoname``).
    value : optional
        A default value: the input becomes optional at call time (trailing
        positional arguments may be left out) and can be read and set with
        ``f[name]``. A shared variable, or a :class:`Container` (another
        function's ``f.container[x]``): each call not given the argument reads
        its current value, and an update is written to it.
    update : Variable, optional
        An expression whose value replaces the default after each call (a
        stateful input); it must have the input's type. With a shared
        variable as ``value``, the update is written to the shared variable.
        Without a ``value`` the argument stays required and the update is
        written to ``f[name]``.
    mutable : bool, optional
        The compiled function may overwrite the argument's buffer (it is
        donated to XLA: a JAX array passed here is deleted by the call).
        Defaults to ``update is not None``.
    strict : bool
        The argument must have exactly the variable's type; no cast.
    allow_downcast : bool, optional
        Values may be downcast to the variable's dtype, losing precision
        (only when ``strict`` is False). None follows ``function``'s
        ``allow_input_downcast``.
    autoname : bool
        Take ``variable.name`` when ``name`` is None.
    implicit : bool, optional
        The input is not a call argument; its value always comes from
        ``value`` (so an implicit input needs one). Defaults to whether
        ``value`` is a shared variable or a Container.
    borrow : bool, optional
        The function may keep a reference to the argument. Defaults to
        ``mutable``; ``mutable=True`` with ``borrow=False`` is a ValueError.
    shared : bool
        Accepted for PyTensor compatibility (ignored).
    sharding : jax.sharding.Sharding, optional
        How the argument is laid out over the function's devices (for data
        parallelism, ``NamedSharding(mesh, PartitionSpec('data'))`` splits
        the batch); a numpy argument is split this way by the call. Default:
        whole on the function's device, or replicated over its devices.

    Raises
    ------
    TypeError
        ``variable`` or ``update`` not symbolic, an update of another type,
        ``implicit=True`` without a value, a name that is not a string, a
        sharding that is not a ``jax.sharding.Sharding``.
    ValueError
        ``mutable=True`` with ``borrow=False``; a sharding with more entries
        than the variable has dimensions, or naming an axis its mesh lacks.

    Examples
    --------
    >>> import graph2jax as g, graph2jax.tensor as gt
    >>> x, y = gt.dscalars("x", "y")
    >>> f = g.function([x, g.In(y, value=1.0)], x + y)
    >>> float(f(2.0)), float(f(2.0, 3.0)), float(f(2.0, y=10.0))
    (3.0, 5.0, 12.0)
    """

    def __init__(
        self,
        variable: Variable,
        name: str | None = None,
        value: Any = None,
        update: Variable | None = None,
        mutable: bool | None = None,
        strict: bool = False,
        allow_downcast: bool | None = None,
        autoname: bool = True,
        implicit: bool | None = None,
        borrow: bool | None = None,
        shared: bool = False,
        sharding: Any = None,
    ):
        if not isinstance(variable, Variable):
            raise TypeError(
                f"In() needs a symbolic variable, got {type(variable).__name__}: {variable!r}"
            )
        if mutable is None:
            mutable = update is not None
        if borrow is None:
            borrow = mutable
        if mutable and not borrow:
            raise ValueError(
                f"In({variable}): mutable=True needs borrow=True (a mutable input's "
                "buffer is handed to the function)"
            )
        if update is not None:
            if not isinstance(update, Variable):
                raise TypeError(
                    f"In({variable}): update must be a symbolic variable, got "
                    f"{type(update).__name__}: {update!r}"
                )
            # PyTensor checks the update's type here; the one replacement rule decides
            variable.type.replacement(
                variable, update, " as the update of an In(); the update must have its input's type"
            )
        if implicit is None:
            implicit = isinstance(value, SharedVariable | Container)
        if implicit and value is None:
            raise TypeError(f"In({variable}): an implicit input must be given a default value")
        self.variable = variable
        self.name = variable.name if name is None and autoname else name
        if self.name is not None and not isinstance(self.name, str):
            raise TypeError(f"In({variable}): name must be a string, got {self.name!r}")
        self.value = value
        self.update = update
        self.mutable = bool(mutable)
        self.strict = bool(strict)
        self.allow_downcast = allow_downcast
        self.autoname = autoname
        self.implicit = bool(implicit)
        self.borrow = bool(borrow)
        self.shared = shared
        self.sharding = _checked(sharding, f"In({variable})", variable)

    def __repr__(self) -> str:
        return f"In({self.variable}, name={self.name!r})"


class Out:
    """An output of :func:`graph2jax.function`, with options.

    Parameters
    ----------
    variable : Variable
    borrow : bool
        False (default): the call returns a numpy array the caller owns
        (a sharded result is gathered). True: it returns the device array (a
        ``jax.Array``, sharded as computed) with no host copy.
    sharding : jax.sharding.Sharding, optional
        How the result is laid out over the function's devices. Default:
        whole on the function's device, or as XLA's partitioner chooses.

    Raises
    ------
    TypeError
        ``variable`` not symbolic, a sharding that is not a ``jax.sharding.Sharding``.
    ValueError
        A sharding with more entries than the variable has dimensions, or
        naming an axis its mesh lacks.
    """

    def __init__(self, variable: Variable, borrow: bool = False, sharding: Any = None):
        if not isinstance(variable, Variable):
            raise TypeError(f"Out() needs a symbolic variable, got {type(variable).__name__}")
        if isinstance(variable.type, NullType | DisconnectedType):  # as PyTensor: TypeError
            raise TypeError(
                f"cannot compute {variable.describe()}: it is a {variable.type} gradient, which "
                f"has no value{': ' + variable.type.why_null if isinstance(variable.type, NullType) else ''}"
            )
        self.variable = variable
        self.borrow = bool(borrow)
        self.sharding = _checked(sharding, f"Out({variable})", variable)

    def __repr__(self) -> str:
        return f"Out({self.variable}, borrow={self.borrow})"


def _checked(sharding: Any, what: str, variable: Variable) -> Any:
    return (
        None
        if sharding is None
        else as_sharding(sharding, what, getattr(variable.type, "ndim", None))
    )
