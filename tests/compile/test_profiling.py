"""``ProfileStats``: compile-time split, call counts and the summary table."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.compile import profiling
from graph2jax.compile.profiling import ProfileStats


def test_profile_true_records_compile_phases_and_calls(capsys):
    x = gt.dvector("x")
    f = g.function([x], gt.exp(x) * 2 + 1, profile=True, name="prof")
    stats = f.profile
    assert isinstance(stats, ProfileStats) and stats.name == "prof"
    assert stats.rebuild_time > 0 and stats.rewrite_time > 0  # fast_run rewrites ran
    assert stats.call_count == 0 and stats.trace_time == 0.0  # JAX traces at the first call
    for _ in range(3):
        f(np.ones(4))
    assert stats.call_count == 3
    assert stats.trace_time > 0 and stats.lowering_time > 0 and stats.xla_compile_time > 0
    assert stats.compile_time == pytest.approx(
        stats.rebuild_time
        + stats.rewrite_time
        + stats.trace_time
        + stats.lowering_time
        + stats.xla_compile_time
    )
    assert stats.call_time > 0
    assert stats.mean_call_time == pytest.approx(stats.call_time / 3)
    # compilation is not counted as call time
    assert stats.call_time < stats.compile_time + 1.0
    stats.summary()
    table = capsys.readouterr().out
    for label in ("prof", "calls: 3", "tracing", "XLA compilation", "call mean", "ms"):
        assert label in table


def test_profile_instance_is_shared_and_unprofiled_functions_cost_nothing():
    stats = ProfileStats(name="both")
    x = gt.dscalar("x")
    f1 = g.function([x], x + 1, profile=stats)
    f2 = g.function([x], x * 3, profile=stats)
    f1(1.0)
    f2(1.0)
    f2(2.0)
    assert f1.profile is stats and f2.profile is stats and stats.call_count == 3
    assert g.function([x], x - 1).profile is None


def test_compile_events_of_other_functions_are_not_attributed():
    stats = ProfileStats()
    x = gt.dscalar("x")
    g.function([x], x + 1, profile=stats)(1.0)
    traced = stats.trace_time
    g.function([x], x + 2)(1.0)  # not profiled: its compilation is not counted
    assert stats.trace_time == traced


def test_config_profile_profiles_everything_and_prints_at_exit(monkeypatch):
    monkeypatch.setattr(profiling, "_all_profiles", [])
    registered = []
    monkeypatch.setattr(profiling.atexit, "register", registered.append)
    monkeypatch.setattr(profiling, "_atexit_registered", False)
    x = gt.dscalar("x")
    with g.config.change_flags(profile=True):
        f = g.function([x], x + 1, name="everywhere")
        assert g.function([x], x + 2, profile=False).profile is None  # an explicit no
    assert isinstance(f.profile, ProfileStats)
    assert registered == [profiling.print_all_summaries]
    f(1.0)
    out = io.StringIO()
    profiling.print_all_summaries(out)
    assert "everywhere" in out.getvalue() and "calls: 1" in out.getvalue()


def test_bad_profile_argument():
    x = gt.dscalar("x")
    with pytest.raises(TypeError, match="profile"):
        g.function([x], x, profile="yes")


def test_config_profile_flag_prints_the_summary_when_the_process_exits():
    script = (
        "import graph2jax as g, graph2jax.tensor as gt\n"
        "x = gt.dscalar('x')\n"
        "g.function([x], x * 2, name='at_exit')(1.0)\n"
    )
    env = {**os.environ, "GRAPH2JAX_FLAGS": "profile=True"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert "Function profile: at_exit" in done.stdout and "calls: 1" in done.stdout
