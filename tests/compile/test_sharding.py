"""Devices and shardings: ``function(device=...)``, ``shared/In/Out(sharding=...)``, meshes.

The multi-device checks run once, in one subprocess with 8 simulated CPU
devices (``sharding_checks.py``, which also starts the two-process
``jax.distributed`` run); each test below asserts on its JSON results. The
checks that one device allows run here.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import jax
import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.sharding import NamedSharding, PartitionSpec, make_mesh, replicated

HERE = pathlib.Path(__file__).resolve().parent
EIGHT = list(range(8))


@pytest.fixture(scope="module")
def checks() -> dict:
    env = dict(
        os.environ,
        XLA_FLAGS="--xla_force_host_platform_device_count=8",
        JAX_PLATFORMS="cpu",
        PYTHONPATH=str(HERE.parent.parent),
    )
    done = subprocess.run(
        [sys.executable, str(HERE / "sharding_checks.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout)


def _close(a, b, rtol=1e-5) -> None:
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=1e-6)


def test_the_checks_ran_on_eight_devices(checks):
    assert checks["device_count"] == 8


def test_data_parallel_sgd_matches_the_single_device_loop(checks):
    single, sharded = checks["data_parallel"]["single"], checks["data_parallel"]["sharded"]
    _close(sharded["losses"], single["losses"])
    assert sharded["losses"][-1] < sharded["losses"][0]
    for mine, reference in zip(sharded["params"], single["params"], strict=True):
        _close(mine, reference)
    _close(sharded["forward"], sharded["forward_reference"])


def test_data_parallel_parameters_are_replicated_on_every_device(checks):
    sharded = checks["data_parallel"]["sharded"]
    assert sharded["specs"] == ["P()"] * 3
    assert sharded["devices"] == [EIGHT] * 3
    assert sharded["shards"] == [[d, [6, 8]] for d in EIGHT]  # a whole copy each
    assert sharded["output_shards"] == [[d, [4, 8]] for d in EIGHT]  # the batch of 32, split
    # Out(sharding=replicated(mesh)): the same result, whole on every device
    assert sharded["replicated_output"] == ["P()", [[d, [32, 8]] for d in EIGHT]]
    assert checks["data_parallel"]["single"]["devices"] == [[0]] * 3


def test_sharded_parameters_stay_donated_across_calls(checks):
    for kind in ("single", "sharded"):
        run = checks["data_parallel"][kind]
        assert run["donating"]  # the executable aliases the parameters to their new values
        assert run["copies"] == 0  # no call had to copy a buffer before donating it
        assert run["same_buffers"]  # each shard's new value sits in its old buffer
    assert checks["model_parallel"]["sharded"]["copies"] == 0


def test_a_borrowed_sharded_parameter_is_copied_where_it_lives_not_donated(checks):
    borrowed = checks["model_parallel"]["sharded"]["borrowed"]
    assert borrowed["copies"] == 1 and borrowed["held_alive"]
    assert borrowed["spec"] == "P(None, 'model')"
    assert borrowed["shards"] == [[d, [6, 4]] for d in EIGHT]


def test_model_parallel_matches_the_single_device_loop(checks):
    single, sharded = checks["model_parallel"]["single"], checks["model_parallel"]["sharded"]
    _close(sharded["losses"], single["losses"])
    for mine, reference in zip(sharded["params"], single["params"], strict=True):
        _close(mine, reference)
    _close(sharded["layer"], sharded["layer_reference"])


def test_the_model_parallel_weight_is_never_gathered(checks):
    sharded = checks["model_parallel"]["sharded"]
    assert sharded["W1_spec"] == "P(None, 'model')"
    # mesh data=4 x model=2: columns split in two, each half on the four 'data' devices
    assert sharded["W1_shards"] == [[d, [6, 4]] for d in EIGHT]
    assert not sharded["layer_hlo_all_gather"]
    assert sharded["layer_spec"] == "P('data', 'model')"
    assert "f32[6,8]" not in sharded["step_all_gathers"]  # W1 whole: never built


def test_set_value_reshards_and_get_value_gathers(checks):
    sharded = checks["model_parallel"]["sharded"]
    assert sharded["set_value_spec"] == "P(None, 'model')"
    assert sharded["set_value_shards"] == [[d, [6, 4]] for d in EIGHT]
    assert sharded["get_value"] == ["ndarray", [6, 8]]


def test_shared_variables_live_on_the_function_device(checks):
    placed = checks["placement"]
    assert placed["moved"] == [3]  # at function() time, before any call
    assert placed["output"] == [3] and placed["after_set_value"] == [3]
    assert placed["after_call"] == [[3], [1.0, 1.0, 1.0]]
    cls, message = placed["missing"]
    assert cls == "ValueError" and "'tpu:0': no such device" in message
    assert "available devices: cpu:0, cpu:1" in message


@pytest.mark.parametrize(
    "case, needle",
    [
        ("shared_not_divided", "split 8 ways"),
        ("set_value_not_divided", "received 6"),
        ("in_not_divided", "In(fixed): dimension 0 of shape (6, 3) is split 8 ways"),
        ("axis_missing", "model"),
        ("spec_too_long", "has 2 entries, the value 1 dimensions"),
        ("other_device", "but the function runs on cpu:0 only"),
        ("two_device_sets", "a function runs on one set of devices"),
    ],
)
def test_bad_shardings_are_value_errors_where_given(checks, case, needle):
    cls, message = checks["bad_input"][case]
    assert cls == "ValueError"
    assert needle in message
    assert checks["bad_input"]["unchanged"]  # a refused set_value wrote nothing


def test_a_sharding_that_is_not_one_is_a_type_error(checks):
    assert checks["bad_input"]["not_a_sharding"][0] == "TypeError"


def test_the_docs_page_examples_run_on_eight_devices(checks):
    assert checks["docs"]["failed"] == 0
    assert checks["docs"]["attempted"] >= 25


def test_two_processes_train_as_one_under_jax_distributed(checks):
    runs = checks["multihost"]
    assert [r["rc"] for r in runs] == [0, 0], [r["stderr"] for r in runs]
    reports = [json.loads(r["stdout"].strip().splitlines()[-1]) for r in runs]
    assert sorted(r["process"] for r in reports) == [0, 1]
    for report in reports:
        assert (report["processes"], report["devices"], report["local_devices"]) == (2, 4, 2)
        _close(report["losses"], report["reference_losses"], rtol=1e-12)
        _close(report["W"], report["reference_W"], rtol=1e-12)  # get_value: on both processes


# -- what one device allows, in this process --------------------------------------------
def test_make_mesh_uses_the_first_devices_and_refuses_too_many():
    mesh = make_mesh({"data": 1})
    assert mesh.devices.tolist() == [jax.devices()[0]]
    assert replicated(mesh).spec == PartitionSpec()
    with pytest.raises(ValueError, match="needs 64 devices; there are 1"):
        make_mesh({"data": 8, "model": 8})
    with pytest.raises(ValueError, match="lengths >= 1"):
        make_mesh({"data": 0})


def test_a_one_device_mesh_runs_and_keeps_the_sharding():
    mesh = make_mesh({"data": 1})
    batch = NamedSharding(mesh, PartitionSpec("data"))
    w = g.shared(np.arange(3.0), name="w", sharding=replicated(mesh))
    x = gt.dmatrix("x")
    f = g.function([g.In(x, sharding=batch)], g.Out(x @ w, sharding=batch), updates=[(w, 2 * w)])
    np.testing.assert_allclose(f(np.ones((2, 3))), [3.0, 3.0])
    assert w.sharding == replicated(mesh)
    assert w.get_value(borrow=True, return_internal_type=True).sharding.spec == PartitionSpec()
    np.testing.assert_array_equal(w.get_value(), [0.0, 2.0, 4.0])


def test_sharding_arguments_are_checked_where_given():
    x = gt.dvector("x")
    for make in (lambda: g.In(x, sharding="data"), lambda: g.Out(x, sharding=0)):
        with pytest.raises(TypeError, match="must be a jax.sharding.Sharding"):
            make()
    with pytest.raises(TypeError, match="must be a jax.sharding.Sharding"):
        g.shared(np.ones(2), sharding=PartitionSpec("data"))
    mesh = make_mesh({"data": 1})
    with pytest.raises(ValueError, match="has 2 entries, the value 1 dimensions"):
        g.Out(x, sharding=NamedSharding(mesh, PartitionSpec("data", None)))


def test_function_device_must_exist_and_be_a_device():
    x = gt.dvector("x")
    with pytest.raises(ValueError, match=r"'cpu:7': no such device; available devices: cpu:0"):
        g.function([x], 2 * x, device="cpu:7")
    with pytest.raises(TypeError, match="a device name"):
        g.function([x], 2 * x, device=7)
    f = g.function([x], g.Out(2 * x, borrow=True), device=jax.devices()[0])
    assert f(np.ones(2)).devices() == {jax.devices()[0]}


def test_a_placed_function_pickles_and_plans_again():
    import pickle

    w = g.shared(np.ones(2), name="w")
    x = gt.dvector("x")
    f = g.function([x], x + w, updates=[(w, w + 1)], device="cpu:0")
    back = pickle.loads(pickle.dumps(f))
    np.testing.assert_array_equal(back(np.zeros(2)), [1.0, 1.0])
    assert back.maker.placement is not None
