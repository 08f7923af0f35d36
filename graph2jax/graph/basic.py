"""The graph IR: types, variables, constants, apply nodes and ops.

A graph is a bipartite DAG: :class:`Variable` objects are produced by
:class:`Apply` nodes, each of which applies an :class:`Op` to input variables.
Nothing here knows JAX: an op's numpy reference is :meth:`Op.perform`; its
JAX implementation is registered in :mod:`graph2jax.linker.dispatch`.
"""

from __future__ import annotations

import copy
import itertools
import os
import sys
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from graph2jax.config import config
from graph2jax.graph.errors import TestValueError
from graph2jax.graph.test_value import compute_test_value

if TYPE_CHECKING:  # fg.py builds on this module
    from graph2jax.graph.fg import FunctionGraph


class Type:
    """The type of a :class:`Variable`: what values it may hold.

    Subclasses define :meth:`filter` (turn a value into one of this type or
    raise ``TypeError``), equality and hashing.
    """

    variable_type: type = None  # the Variable subclass made by ``make_variable``

    def filter(self, data: Any, strict: bool = False, allow_downcast: bool | None = None) -> Any:
        """Return ``data`` as a value of this type, or raise ``TypeError``."""
        raise NotImplementedError

    def make_variable(self, name: str | None = None) -> Variable:
        """A new free variable of this type."""
        return self.variable_type(self, None, name=name)

    def __call__(self, name: str | None = None) -> Variable:
        return self.make_variable(name)

    def convert_variable(self, var: Variable) -> Variable | None:
        """``var`` as a variable of this type, or None if it cannot be."""
        return var if var.type == self else None

    def replacement(self, old: Variable, new: Variable, hint: str = "") -> Variable:
        """``new`` made to stand for ``old``, a variable of this type: the one replacement rule.

        Every substitution in a graph (givens, updates, ``FunctionGraph.replace``,
        ``clone_replace``, ``graph_replace``) goes through this check.

        A ``new`` whose type is more specific than this one (a known static
        shape where this type has None) stands for ``old`` as it is (PyTensor's
        ``filter_variable``). A constant of another type, a python or numpy
        value given as a replacement or update, is converted to this type when
        no value changes (``updates={b: 3}`` for an int64 ``b``), as PyTensor does.

        Parameters
        ----------
        old : Variable
            The variable replaced; its type is this one.
        new : Variable
        hint : str
            Appended to the error message (what the caller can do about it).

        Returns
        -------
        Variable
            ``new``, or ``new`` converted by :meth:`convert_variable`, or a
            constant of this type holding ``new``'s value.

        Raises
        ------
        TypeError
            When ``new`` cannot be converted to this type.
        """
        converted = self.convert_variable(new)
        if converted is None and isinstance(new, Constant):
            converted = self._lossless_constant(new)
        if converted is None:
            raise TypeError(
                f"cannot replace {old.describe()} of type {self} by {new.describe()} of type "
                f"{new.type}{hint}"
            )
        return converted

    def _lossless_constant(self, const: Constant) -> Variable | None:
        """``const``'s value as a constant of this type, or None when the cast changes it."""
        try:
            value = self.filter(const.data, strict=False, allow_downcast=True)
            back = const.type.filter(value, strict=False, allow_downcast=True)
            if not const.type.values_eq(back, const.data):
                return None
            return self.convert_variable(self.make_constant(value))
        except (TypeError, ValueError, OverflowError):
            return None

    # -- how values cross layers: tensors enter JAX as device arrays; other types override these
    def to_device(self, value: Any, placement: Any = None) -> Any:
        """A value for the compiled code holding ``value``'s contents, sharing no memory with it.

        ``placement`` (a ``jax.Device`` or ``jax.sharding.Sharding``; None:
        ``config.device``) says where a device value goes; a host value ignores it.
        """
        return copy.deepcopy(value)

    def adopt(self, value: Any) -> Any:
        """``value`` for the compiled code, sharing memory with it where the device allows.

        What ``set_value(value, borrow=True)`` stores; the default makes a copy
        (:meth:`to_device`).
        """
        return self.to_device(value)

    def to_host(self, value: Any, borrow: bool = False) -> Any:
        """``value`` for the caller (host memory); ``borrow=True`` may share memory with it."""
        return value if borrow else copy.deepcopy(value)

    def to_pickle(self, value: Any) -> Any:
        """``value`` in a picklable form (:meth:`from_pickle` restores it)."""
        return value

    def from_pickle(self, data: Any) -> Any:
        """The value :meth:`to_pickle` gave ``data`` for."""
        return data

    def to_array(self, value: Any) -> Any:
        """``value`` as a plain array that JAX alone can hold (on traced values too).

        What :func:`graph2jax.export` hands to a process without graph2jax;
        :meth:`from_array` restores it. Arrays are their own plain form.
        """
        return value

    def from_array(self, data: Any) -> Any:
        """The value :meth:`to_array` gave ``data`` for (on traced values too)."""
        return data

    def values_eq(self, a: Any, b: Any) -> bool:
        """Whether ``a`` and ``b`` are the same value of this type."""
        return bool(a == b)

    def make_constant(self, value: Any) -> Variable:
        """A constant holding ``value``, for a python value given where this type's variable goes.

        ``clone_replace(out, {x: 2.0})`` builds its replacement this way, so the IR
        needs to know no concrete type. Raises ``TypeError`` unless a subclass says how.
        """
        raise TypeError(f"{type(self).__name__} cannot make a constant of {value!r}")


class Variable:
    """A symbolic value: an input, a constant or the output of an Apply.

    Attributes
    ----------
    type : Type
    owner : Apply or None
        The node that computes this variable; None for graph inputs.
    index : int or None
        Position of this variable in ``owner.outputs``.
    name : str or None
    tag : Tag
        Free-form annotations; ``tag.trace`` is the user's line that created it.
    """

    _ids = itertools.count()

    def __init__(
        self,
        type: Type,
        owner: Apply | None = None,
        index: int | None = None,
        name: str | None = None,
    ):
        self.type = type
        self.owner = owner
        self.index = index
        self.name = name
        self.tag = Tag(trace=_user_frame(), _type=type)
        self.auto_name = f"auto_{next(self._ids)}"

    def __str__(self) -> str:
        if self.name is not None:
            return self.name
        if self.owner is not None:
            op = self.owner.op
            return f"{op}.out" if len(self.owner.outputs) == 1 else f"{op}.{self.index}"
        return f"<{self.type}>"

    def __repr__(self) -> str:
        if config.print_test_value:
            try:
                return f"{self}\n{self.get_test_value()!r}"
            except TestValueError:
                pass
        return str(self)

    def get_test_value(self) -> Any:
        """This variable's test value (PyTensor 2.x's debugging aid).

        Raises
        ------
        TestValueError
            When it has none (``x.tag.test_value`` was never set).
        """
        if "test_value" not in vars(self.tag):
            raise TestValueError(f"{self.describe()} has no test value (set x.tag.test_value)")
        return self.tag.test_value

    def clone(self, **kwargs: Any) -> Variable:
        """A new variable of the same type and name, with no owner."""
        cp = type(self).__new__(type(self))
        cp.__dict__.update(self.__dict__)
        cp.owner, cp.index = None, None
        cp.tag = Tag(**vars(self.tag))
        cp.auto_name = f"auto_{next(self._ids)}"
        for k, v in kwargs.items():
            setattr(cp, k, v)
        return cp

    def describe(self) -> str:
        """The variable's name (or ``str``) and the user's line that created it."""
        where = f" (created at {self.tag.trace})" if getattr(self.tag, "trace", None) else ""
        return f"'{self}'{where}"


class Constant(Variable):
    """A variable with a fixed value, ``data``. Constants are graph leaves."""

    def __init__(self, type: Type, data: Any, name: str | None = None):
        super().__init__(type, None, None, name)
        self.data = type.filter(data, strict=False, allow_downcast=True)

    def get_test_value(self) -> Any:
        """A constant's test value is its data."""
        return self.data

    def __str__(self) -> str:
        if self.name is not None:
            return self.name
        text = str(self.data).replace("\n", "")
        return text if len(text) <= 20 else text[:17] + "..."

    def signature(self) -> tuple:
        """A hashable ``(type, value)`` pair, equal for two constants of the same type and value.

        The value is compared by its bytes (dtype, shape, contents), so NaNs
        in the same places are equal, as they must be for two graphs to be
        the same program.
        """
        value = np.asarray(self.data)
        return (self.type, (value.dtype.str, value.shape, value.tobytes()))


class Tag:
    """A bag of annotations attached to a variable.

    On a variable's tag, ``test_value`` is checked and converted by the
    variable's type when set (PyTensor's validating tag).
    """

    def __init__(self, **kwargs: Any):
        self.__dict__.update(kwargs)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "test_value" and "_type" in self.__dict__:
            value = self.__dict__["_type"].filter(value)
        self.__dict__[name] = value


def _user_frame() -> str | None:
    """``file:line`` of the innermost frame outside graph2jax (the user's line)."""
    frame = sys._getframe(2)
    while frame is not None:
        filename = frame.f_code.co_filename
        if _PACKAGE_DIR not in filename:
            return f"{filename}:{frame.f_lineno}"
        frame = frame.f_back
    return None


_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


class Apply:
    """One application of ``op`` to ``inputs``, producing ``outputs``."""

    def __init__(self, op: Op, inputs: Sequence[Variable], outputs: Sequence[Variable]):
        self.op = op
        self.inputs = list(inputs)
        self.outputs = list(outputs)
        for i, out in enumerate(self.outputs):
            if out.owner is not None and out.owner is not self:
                raise ValueError(f"output {out} of {op} already has an owner")
            out.owner, out.index = self, i
        self.tag = Tag()

    @property
    def out(self) -> Variable:
        """The single output; a ValueError when there are several."""
        if len(self.outputs) != 1:
            raise ValueError(f"{self.op} has {len(self.outputs)} outputs; use .outputs")
        return self.outputs[0]

    def __str__(self) -> str:
        return f"{self.op}({', '.join(map(str, self.inputs))})"

    __repr__ = __str__

    def clone_with_new_inputs(self, inputs: Sequence[Variable], strict: bool = True) -> Apply:
        """A new node of the same op on ``inputs``.

        With ``strict=True`` the new inputs must have the old types and the
        outputs keep theirs; otherwise ``make_node`` rebuilds the node and may
        infer new output types.
        """
        if strict:
            hint = f" in {self.op}; pass rebuild_strict=False to rebuild with new types"
            inputs = [
                old.type.replacement(old, new, hint)
                for old, new in zip(self.inputs, inputs, strict=True)
            ]
            outputs = [o.clone() for o in self.outputs]
            for o, old in zip(outputs, self.outputs, strict=True):
                o.tag = old.tag
            return Apply(self.op, inputs, outputs)
        return self.op.make_node(*inputs)


class Op:
    """An operation of the graph.

    Subclasses list their parameters in ``__props__`` (equality and hashing
    follow them, and the structure of the op's :attr:`inner_fgraphs`) and define:

    - ``make_node(*inputs)``: check the inputs and build the :class:`Apply`
      with typed outputs (errors raised here reach the user when the graph is built);
    - ``perform(node, inputs, output_storage)``: the numpy reference, writing
      ``output_storage[i][0]``;
    - ``infer_shape(fgraph, node, input_shapes)``: symbolic output shapes;
    - ``L_op(inputs, outputs, output_grads)``: the symbolic gradient, one
      variable per input (or a disconnected/null gradient, see
      :mod:`graph2jax.gradient`).

    The JAX implementation is registered next to the op with
    ``@jax_funcify.register(OpClass)``.
    """

    __props__: tuple[str, ...] = ()
    #: inputs whose *values* the JAX implementation needs at trace time (a reshape's
    #: target shape, ``arange``'s bounds); the linker makes the function inputs that
    #: feed them static arguments of ``jax.jit``
    static_inputs: tuple[int, ...] = ()
    #: among ``static_inputs``, those the op can also take as values known only while
    #: running, an integer one bounded by a capacity (a scan's ``n_steps``, a slice's bounds
    #: on the first axis): see :mod:`graph2jax.linker.ragged`; an integer scalar input
    #: feeding only such operands is compiled once per capacity instead of once per value
    length_inputs: tuple[int, ...] = ()
    #: static inputs of which only a count (:meth:`static_count`) decides the output's shape
    #: (a boolean mask, ``nonzero``'s argument, ``unique``'s): computed from values, the
    #: linker makes just that count static (:mod:`graph2jax.linker.staging`)
    counted_inputs: tuple[int, ...] = ()
    #: the outputs depend on the inputs' shapes only, never on their values (``shape(x)``):
    #: the static-input analysis stops there, since JAX knows shapes while tracing
    shape_only: bool = False
    #: may a node be evaluated with ``perform`` while tracing when all its inputs are known
    #: then (shape arithmetic stays concrete); an op whose result must not be baked into the
    #: program as a constant (a random draw, a side effect) sets it to False
    foldable: bool = True
    #: the JAX implementation reports indices known only at run time to the linker's
    #: index checks (:mod:`graph2jax.linker.checks`), which raise ``IndexError`` for them
    checks_indices: bool = False
    #: ``((input position, axis of input 0), ...)``: the integer indices of the op, when
    #: every index it checks is one of them (no index array, no ``...``), so that a caller
    #: knowing those inputs and input 0's shape can check them before running the op
    #: (:class:`~graph2jax.linker.checks.HostChecks`); None: they are checked while running
    host_indices: tuple[tuple[int, int], ...] | None = None
    #: False for a piecewise-constant op (``argmax``, ``argsort``): ``grad`` gives its
    #: inputs zero gradients without calling ``L_op``
    differentiable: bool = True
    #: ``{output: [input]}``: the output overwrites that input's buffer, and ``view_map``
    #: ``{output: [input]}``: the output is a view of that input. Both are kept for
    #: PyTensor's API: JAX arrays are immutable and buffers are reused through donation,
    #: so no graph2jax op destroys an input; ``function`` refuses a node with a
    #: ``destroy_map`` unless ``accept_inplace=True``, and ``debugprint`` can show both
    destroy_map: dict[int, list[int]] = {}
    view_map: dict[int, list[int]] = {}
    #: the graphs this op holds and runs (a scan or while body, ifelse's branches, a
    #: jacobian's backward pass). Declaring them is all an op needs for every walk of the
    #: graph (the unsupported-op check, the static-input analysis, the rewrites,
    #: ``debugprint``) to see inside, and for equality to follow their structure. An inner
    #: graph is never changed in place once the op holds it: rewrites build a new op with
    #: :meth:`with_inner_fgraphs`, and the op's JAX implementation links its bodies with
    #: :func:`graph2jax.linker.jax_linker.link_inner`
    inner_fgraphs: tuple[FunctionGraph, ...] = ()

    def static_count(self, k: int, value: Any) -> int:
        """The count of input ``k``'s numpy ``value`` that decides the output's shape
        (one of :attr:`counted_inputs`): its number of non-zero entries, unless overridden."""
        return int(np.count_nonzero(value))

    def with_inner_fgraphs(self, fgraphs: Sequence[FunctionGraph]) -> Op:
        """A copy of this op holding ``fgraphs`` instead of :attr:`inner_fgraphs`.

        Each new graph has the inputs' and outputs' types of the one it
        replaces. Ops that declare ``inner_fgraphs`` define it; the rewrite
        pass uses it to replace a rewritten body without touching this op,
        which the user's graph still holds.
        """
        raise NotImplementedError(f"{type(self).__name__} has no inner graphs to replace")

    def inner_input_origins(self, k: int) -> tuple[int | None, ...]:
        """For each input of inner graph ``k``: the node input whose value it receives unchanged.

        None for an input whose value the op makes (a seed, a loop carry, a
        slice of a sequence). A value known while tracing outside (a static
        input) is known inside only through such an unchanged input, so this
        is how an inner graph's need for a static value reaches the outer
        function's inputs. The default, None everywhere, never makes an input
        static.
        """
        return (None,) * len(self.inner_fgraphs[k].inputs)

    def _props(self) -> tuple:
        return tuple(getattr(self, p) for p in self.__props__)

    def _key(self) -> tuple:
        """What equality and hashing compare: the class, the props and the inner graphs' structure."""
        return (type(self), self._props(), tuple(fg.structural_key() for fg in self.inner_fgraphs))

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __str__(self) -> str:
        name = type(self).__name__
        if not self.__props__:
            return name
        return f"{name}{{{', '.join(f'{p}={getattr(self, p)}' for p in self.__props__)}}}"

    __repr__ = __str__

    def make_node(self, *inputs: Any) -> Apply:
        raise NotImplementedError(f"{type(self).__name__}.make_node")

    def __call__(self, *inputs: Any, name: str | None = None) -> Variable | list[Variable]:
        node = self.make_node(*inputs)
        if config.compute_test_value != "off":
            compute_test_value(node)
        if name is not None and len(node.outputs) == 1:
            node.outputs[0].name = name
        return node.outputs[0] if len(node.outputs) == 1 else node.outputs

    def perform(self, node: Apply, inputs: list, output_storage: list[list]) -> None:
        raise NotImplementedError(f"{type(self).__name__} has no numpy reference (perform)")

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        raise NotImplementedError(f"{type(self).__name__} has no infer_shape")

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        return self.grad(inputs, output_grads)

    def grad(self, inputs: list, output_grads: list) -> list:
        raise NotImplementedError(f"{type(self).__name__} has no gradient")


# ---------------------------------------------------------------------------
# traversal


def ancestors(outputs: Sequence[Variable], blockers: Sequence[Variable] = ()) -> list[Variable]:
    """Every variable that ``outputs`` depend on (them included), stopping at ``blockers``."""
    blocked = set(map(id, blockers))
    seen: dict[int, Variable] = {}
    stack = list(reversed(list(outputs)))
    while stack:
        var = stack.pop()
        if id(var) in seen:
            continue
        seen[id(var)] = var
        if var.owner is not None and id(var) not in blocked:
            stack.extend(reversed(var.owner.inputs))
    return list(seen.values())


def graph_inputs(outputs: Sequence[Variable], blockers: Sequence[Variable] = ()) -> list[Variable]:
    """The leaves (owner-less variables, or blockers) that ``outputs`` depend on."""
    blocked = set(map(id, blockers))
    return [v for v in ancestors(outputs, blockers) if v.owner is None or id(v) in blocked]


def toposort(inputs: Sequence[Variable], outputs: Sequence[Variable]) -> list[Apply]:
    """The apply nodes between ``inputs`` and ``outputs``, each after its inputs' owners."""
    stop = set(map(id, inputs))
    order: list[Apply] = []
    done: set[int] = set()
    for out in outputs:
        stack: list[tuple[Variable, bool]] = [(out, False)]
        while stack:
            var, expanded = stack.pop()
            node = var.owner
            if node is None or id(var) in stop or id(node) in done:
                continue
            if expanded:
                done.add(id(node))
                order.append(node)
                continue
            stack.append((var, True))
            for inp in reversed(node.inputs):
                if inp.owner is not None and id(inp.owner) not in done and id(inp) not in stop:
                    stack.append((inp, False))
    return order


def walk_nodes(inputs: Sequence[Variable], outputs: Sequence[Variable]) -> Iterator[Apply]:
    """Every apply node between ``inputs`` and ``outputs``, and every node of their inner graphs.

    The nodes come in :func:`toposort` order, each followed by the nodes of
    its op's :attr:`Op.inner_fgraphs` (depth first, so a body nested in a
    body is walked too); an inner graph that several nodes hold is walked
    once. The checks that must see inside scan, ifelse and while bodies (an
    op with no JAX implementation) walk the graph this way.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> x = gt.dvector("x")
    >>> [str(node.op) for node in walk_nodes([x], [gt.exp(x) + 1])]
    ['exp', 'add']
    """
    walked: set[int] = set()
    pending = [iter(toposort(inputs, outputs))]
    while pending:
        node = next(pending[-1], None)
        if node is None:
            pending.pop()
            continue
        yield node
        bodies = [fg for fg in node.op.inner_fgraphs if id(fg) not in walked]
        walked.update(map(id, bodies))
        pending += [iter(fg.toposort()) for fg in reversed(bodies)]


def _clone_with_memo(
    outputs: list[Variable], memo: dict[int, Variable], rebuild_strict: bool, copy_inputs: bool
) -> list[Variable]:
    """Clone the graph of ``outputs``; ``memo`` maps id(old) to replacements (and grows)."""
    for node in toposort([], outputs):
        if all(id(o) in memo for o in node.outputs):
            continue
        new_inputs = [_leaf(i, memo, copy_inputs) for i in node.inputs]
        new_node = node.clone_with_new_inputs(new_inputs, strict=rebuild_strict)
        for old, new in zip(node.outputs, new_node.outputs, strict=True):
            if new.name is None:
                new.name = old.name
            memo.setdefault(id(old), new)
    return [_leaf(memo.get(id(o), o), memo, copy_inputs) for o in outputs]


def _leaf(var: Variable, memo: dict[int, Variable], copy_inputs: bool) -> Variable:
    if id(var) in memo:
        return memo[id(var)]
    if copy_inputs and var.owner is None and not isinstance(var, Constant):
        memo[id(var)] = var.clone()
        return memo[id(var)]
    return var
