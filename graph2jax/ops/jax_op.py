"""JAX functions inside graphs: PyTensor's ``wrap_jax`` and its ``JAXOp``.

``wrap_jax(fn)`` turns a JAX-traceable python function into one usable on
graph variables. Its arguments may be any pytree (tuples, dicts, a Flax or
Equinox module's leaves): the leaves that are graph variables become the
inputs of a :class:`JAXOp`; every other leaf (python numbers, strings,
numpy arrays) is a static argument, closed over. The outputs' types come
from ``jax.eval_shape`` on the inputs' types, a dimension the graph does not
know being a symbolic dimension (``jax.export.symbolic_shape``), so a
dimension of the output that follows an unknown input dimension is unknown
too. The op's JAX implementation is the function itself (traced into the
function's one ``jax.jit``); its numpy reference (``perform``, the ``NUMPY``
mode) runs the same function eagerly on the CPU; its gradient is a second
``JAXOp`` computing ``jax.vjp`` of the first.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import jax
import numpy as np

from graph2jax.graph.basic import Apply, Op, Type, Variable
from graph2jax.graph.gradtypes import disconnected, is_disconnected
from graph2jax.linker.dispatch import jax_funcify
from graph2jax.types.as_tensor import as_tensor_variable
from graph2jax.types.tensor_type import TensorType


class JAXOp(Op):
    """An op computing ``jax_func(*inputs) -> tuple(outputs)``, a JAX-traceable function.

    Parameters
    ----------
    input_types, output_types : sequence of TensorType
    jax_function : callable
        Takes one array per input and returns a tuple with one array per output.
    name : str, optional
        How the op prints (``JAXOp{name}``).
    """

    __props__ = ("input_types", "output_types", "jax_func", "name")

    def __init__(
        self,
        input_types: Sequence[Type],
        output_types: Sequence[Type],
        jax_function: Callable[..., tuple],
        name: str | None = None,
    ):
        self.input_types = tuple(input_types)
        self.output_types = tuple(output_types)
        self.jax_func = jax_function
        self.name = name

    def __str__(self) -> str:
        return f"JAXOp{{{self.name or getattr(self.jax_func, '__name__', '?')}}}"

    __repr__ = __str__

    def make_node(self, *inputs: Any) -> Apply:
        if len(inputs) != len(self.input_types):
            raise TypeError(f"{self} takes {len(self.input_types)} inputs, received {len(inputs)}")
        converted = []
        for k, (value, typ) in enumerate(zip(inputs, self.input_types, strict=True)):
            var = as_tensor_variable(value)
            fitted = typ.convert_variable(var)
            if fitted is None:
                raise TypeError(f"{self}: input {k} {var.describe()} must be {typ}, got {var.type}")
            converted.append(fitted)
        return Apply(self, converted, [t() for t in self.output_types])

    def _results(self, results: Any) -> tuple:
        if not isinstance(results, tuple) or len(results) != len(self.output_types):
            raise TypeError(
                f"{self}: the function must return a tuple of {len(self.output_types)} arrays, "
                f"returned {type(results).__name__}"
            )
        return results

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        with jax.default_device(jax.devices("cpu")[0]):  # the reference: eager, on the CPU
            results = self._results(self.jax_func(*inputs))
        for storage, result, typ in zip(output_storage, results, self.output_types, strict=True):
            storage[0] = np.asarray(result, dtype=typ.dtype)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        return [
            tuple(s if s is not None else out.shape[d] for d, s in enumerate(out.type.shape))
            for out in node.outputs
        ]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        connected = [k for k, g in enumerate(output_grads) if not is_disconnected(g)]
        differentiable = [
            k for k, t in enumerate(self.input_types) if np.dtype(t.dtype).kind in "fc"
        ]
        if not connected or not differentiable:
            return [disconnected() for _ in inputs]
        forward, n_in = self.jax_func, len(inputs)
        dtypes = [self.output_types[k].dtype for k in connected]

        def vjp(*args: Any) -> tuple:
            primals, cotangents = list(args[:n_in]), args[n_in:]

            def chosen(*wrt: Any) -> list:
                values = list(primals)
                for k, v in zip(differentiable, wrt, strict=True):
                    values[k] = v
                results = forward(*values)
                return [results[k] for k in connected]

            _, pullback = jax.vjp(chosen, *(primals[k] for k in differentiable))
            return tuple(pullback([c.astype(d) for c, d in zip(cotangents, dtypes, strict=True)]))

        grad_op = JAXOp(
            self.input_types + tuple(self.output_types[k] for k in connected),
            [self.input_types[k] for k in differentiable],
            vjp,
            name=f"vjp_{self.name or getattr(forward, '__name__', 'jax')}",
        )
        grads = grad_op(*inputs, *(output_grads[k] for k in connected))
        grads = grads if isinstance(grads, list) else [grads]
        by_input = dict(zip(differentiable, grads, strict=True))
        return [by_input[k] if k in by_input else disconnected() for k in range(len(inputs))]


@jax_funcify.register(JAXOp)
def _jax_jaxop(op: JAXOp, node: Apply) -> Callable[..., Any]:
    fn, results = op.jax_func, op._results
    dtypes = [t.dtype for t in op.output_types]
    if len(dtypes) == 1:
        return lambda *xs: results(fn(*xs))[0].astype(dtypes[0])
    return lambda *xs: tuple(r.astype(d) for r, d in zip(results(fn(*xs)), dtypes, strict=True))


def _abstract(variables: Sequence[Variable], shared: bool) -> list[jax.ShapeDtypeStruct]:
    """Each variable's type as a ``ShapeDtypeStruct``, unknown dimensions symbolic: one symbol
    each, or (``shared``) one symbol for all, which fits functions pairing dimensions up."""
    unknown = [
        (k, d) for k, v in enumerate(variables) for d, s in enumerate(v.type.shape) if s is None
    ]
    names = "n" if shared else ", ".join(f"d{k}_{d}" for k, d in unknown)
    symbols = jax.export.symbolic_shape(names) if unknown else ()
    where = {kd: symbols[0 if shared else j] for j, kd in enumerate(unknown)}
    return [
        jax.ShapeDtypeStruct(
            tuple(where.get((k, d), s) for d, s in enumerate(v.type.shape)), v.type.dtype
        )
        for k, v in enumerate(variables)
    ]


def _output_shapes(
    fn: Callable[..., Any], variables: Sequence[Variable], allow_eval: bool
) -> list[jax.ShapeDtypeStruct]:
    """``jax.eval_shape`` of ``fn``: independent symbols, then one symbol, then (``allow_eval``)
    the sizes the graph computes."""
    for shared in (False, True):
        try:
            return jax.eval_shape(fn, *_abstract(variables, shared))
        except Exception as err:  # the function pairs or needs concrete sizes: try the next way
            failure = err
    if not allow_eval:
        raise ValueError(
            f"wrap_jax: the output types of {getattr(fn, '__name__', fn)} need the inputs' "
            f"shapes; give inputs with known shapes (pt.specify_shape): {failure}"
        ) from failure
    try:
        concrete = [tuple(int(s) for s in v.shape.eval()) for v in variables]
    except Exception as err:
        raise ValueError(
            "wrap_jax: could not compute the inputs' shapes to infer the output types; "
            "give inputs with known shapes (pt.specify_shape)"
        ) from err
    return jax.eval_shape(
        fn,
        *(jax.ShapeDtypeStruct(s, v.type.dtype) for s, v in zip(concrete, variables, strict=True)),
    )


def _output_types(
    fn: Callable[..., Any], variables: Sequence[Variable], allow_eval: bool
) -> list[TensorType]:
    return [
        TensorType(
            np.dtype(s.dtype).name, tuple(d if isinstance(d, int) else None for d in s.shape)
        )
        for s in _output_shapes(fn, variables, allow_eval)
    ]


def wrap_jax(jax_function: Callable | None = None, *, allow_eval: bool = True) -> Callable:
    """Make a JAX-traceable function callable on graph variables (PyTensor's ``wrap_jax``).

    Use it as a decorator, with or without arguments. The wrapped function
    takes any pytree of arguments: graph variables among its leaves are the
    op's inputs, the other leaves are static; it returns the function's
    output pytree with a graph variable for each array leaf. Gradients come
    from ``jax.vjp`` of the function.

    Parameters
    ----------
    jax_function : callable, optional
        The function; None returns a decorator.
    allow_eval : bool
        When the function cannot be traced with unknown dimensions (symbolic
        ones), evaluate the inputs' shapes from the graph (possible when they
        depend on no input); False raises ``ValueError`` instead.

    Returns
    -------
    callable

    Examples
    --------
    >>> import jax.numpy as jnp, numpy as np, graph2jax as g, graph2jax.tensor as gt
    >>> @g.wrap_jax
    ... def softplus_sum(x, scale=1.0):
    ...     return {"total": jnp.sum(jnp.logaddexp(0.0, x)) * scale}
    >>> x = gt.dvector("x")
    >>> out = softplus_sum(x, scale=2.0)["total"]
    >>> f = g.function([x], [out, g.grad(out, x)])
    >>> total, dx = f(np.array([0.0, 1.0]))
    >>> print(round(float(total), 4), np.round(dx, 4))
    4.0128 [1.     1.4621]
    """
    if jax_function is None:
        return functools.partial(wrap_jax, allow_eval=allow_eval)

    @functools.wraps(jax_function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        leaves, treedef = jax.tree.flatten((args, kwargs))
        dynamic = [k for k, leaf in enumerate(leaves) if isinstance(leaf, Variable)]
        variables = [as_tensor_variable(leaves[k]) for k in dynamic]
        output_tree: list[Any] = []

        def flat(*arrays: Any) -> tuple:
            values = list(leaves)
            for k, a in zip(dynamic, arrays, strict=True):
                values[k] = a
            call_args, call_kwargs = jax.tree.unflatten(treedef, values)
            results, tree = jax.tree.flatten(jax_function(*call_args, **call_kwargs))
            output_tree[:] = [tree]
            return tuple(results)

        output_types = _output_types(flat, variables, allow_eval)
        op = JAXOp([v.type for v in variables], output_types, flat, name=jax_function.__name__)
        outputs = op(*variables)
        outputs = outputs if isinstance(outputs, list) else [outputs]
        return jax.tree.unflatten(output_tree[0], outputs)

    return wrapper
