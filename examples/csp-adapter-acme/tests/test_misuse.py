"""Misuse of the Python API raises exceptions that say what to do."""

from datetime import timedelta
from typing import Any

import csp
import pytest
from conftest import run_realtime
from csp.impl.wiring import input_adapter_def, output_adapter_def

from csp_adapter_acme import (
    AcmeAdapterManager,
    Synthetic,
    _build,
    _native,
)
from csp_adapter_acme._native import Runtime, testing
from csp_adapter_acme.adapters import (
    INPUT_TYPE,
    OUTPUT_TYPE,
    ManagerOptions,
    Publication,
    Subscription,
)

Manager = AcmeAdapterManager


FEED = Synthetic(1)


def untyped(value: object) -> Any:
    """A wrong argument a type checker would catch, passed at run time anyway."""
    return value


def new_runtime() -> Runtime:
    return Runtime(ManagerOptions(source=FEED, sink=None, paced=False))


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: Manager(untyped(5)), TypeError, r"source must be a path \(str or os.PathLike\), got int"),
        (lambda: Manager("events.csv", sink=untyped(5)), TypeError, "sink must be a path"),
        (lambda: Manager("events.csv", paced=untyped("yes")), TypeError, "paced must be a bool, got str"),
        (lambda: Synthetic(-1), ValueError, "count must be >= 0"),
        (lambda: Synthetic(untyped(1.5)), TypeError, "count must be an int, got float"),
        (lambda: Synthetic(1, symbols=()), ValueError, "symbols must not be empty"),
        (lambda: Synthetic(1, symbols=untyped("AB")), TypeError, "symbols must be a tuple of str"),
        (lambda: Synthetic(1, symbols=("A", "")), ValueError, "symbol must not be empty"),
        (lambda: Synthetic(1, interval=timedelta(seconds=-1)), ValueError, "interval must not be negative"),
        (lambda: Synthetic(1, interval=untyped(5)), TypeError, "interval must be a datetime.timedelta"),
        (lambda: Synthetic(1, batch_size=0), ValueError, "batch_size must be >= 1"),
        (lambda: Manager(FEED).subscribe(""), ValueError, "symbol must not be empty"),
        (lambda: Manager(FEED).subscribe(untyped(5)), TypeError, "symbol must be a str, got int"),
        (lambda: Manager(FEED).subscribe("A", push_mode=untyped(1)), TypeError, "push_mode must be a csp.PushMode"),
        (lambda: Manager(FEED).status(push_mode=untyped("last")), TypeError, "push_mode must be a csp.PushMode"),
        (lambda: Manager(FEED).publish(csp.null_ts(OUTPUT_TYPE), untyped(5)), TypeError, "symbol must be a str"),
    ],
    ids=[
        "source-int",
        "sink-int",
        "paced-str",
        "negative-count",
        "float-count",
        "no-symbols",
        "symbols-str",
        "empty-symbol",
        "negative-interval",
        "int-interval",
        "zero-batch",
        "subscribe-empty-symbol",
        "subscribe-int-symbol",
        "subscribe-int-push-mode",
        "status-str-push-mode",
        "publish-int-symbol",
    ],
)
def test_bad_arguments_say_what_to_do(make, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        make()


def test_publish_rejects_a_time_series_of_another_type() -> None:
    manager = Manager(FEED)
    wanted = r"publish expects a ts\[int\], got str"
    with pytest.raises(TypeError, match=wanted):
        manager.publish(csp.const("x"), "A")


def _capsule_input(capsule_factory):
    def create(mgr, engine, pytype, push_mode, scalars):
        return _native._c_api_push_input_adapter(mgr, engine, pytype, push_mode, (capsule_factory(), None))

    return input_adapter_def("capsule_input", create, csp.ts[INPUT_TYPE])


def _capsule_output(capsule_factory):
    def create(mgr, engine, scalars):
        return _native._c_api_output_adapter(mgr, engine, (OUTPUT_TYPE, capsule_factory()))

    return output_adapter_def("capsule_output", create, input=csp.ts[OUTPUT_TYPE])


def test_a_capsule_used_twice_is_a_value_error() -> None:
    runtime = new_runtime()
    capsule = runtime.input_capsule(Subscription("A"))
    adapter = _capsule_input(lambda: capsule)

    @csp.graph
    def graph() -> None:
        csp.add_graph_output("a", adapter())
        csp.add_graph_output("b", adapter(push_mode=csp.PushMode.LAST_VALUE))

    with pytest.raises(ValueError, match="already used.*create a new capsule for each adapter"):
        run_realtime(graph, endtime=timedelta(milliseconds=50))


def test_a_capsule_of_the_wrong_kind_is_a_type_error() -> None:
    runtime = new_runtime()
    adapter = _capsule_input(lambda: runtime.output_capsule(Publication("A")))

    @csp.graph
    def graph() -> None:
        csp.add_graph_output("a", adapter())

    with pytest.raises(TypeError, match="expected a csp.c.InputAdapterCapsule.*got a capsule named csp.c.Output"):
        run_realtime(graph, endtime=timedelta(milliseconds=50))


def test_an_object_that_is_no_capsule_is_a_type_error() -> None:
    sink = _capsule_output(lambda: "not a capsule")

    @csp.graph
    def graph() -> None:
        sink(csp.null_ts(OUTPUT_TYPE))

    with pytest.raises(TypeError, match="expected a csp.c.OutputAdapterCapsule.*got an object of type str"):
        run_realtime(graph, endtime=timedelta(milliseconds=50))


def test_input_adapter_refuses_a_graph_type_it_does_not_push() -> None:
    runtime = new_runtime()

    def create(mgr, engine, pytype, push_mode, scalars):
        capsule = runtime.input_capsule(Subscription("A"))
        return _native._c_api_push_input_adapter(mgr, engine, str, push_mode, (capsule, None))

    adapter = input_adapter_def("wrong_type_input", create, csp.ts[str])

    @csp.graph
    def graph() -> None:
        csp.add_graph_output("a", adapter())

    # Refused by the bridge when the graph is built, before any adapter starts.
    message = r"the push input adapter pushes int but the graph declared its time series as ts\[str\]"
    with pytest.raises(TypeError, match=message):
        run_realtime(graph, endtime=timedelta(milliseconds=50))


@pytest.mark.parametrize(
    ("abi_version", "struct_size", "message"),
    [
        (2, 40, "abi_version 2 but this bridge implements abi_version 1"),
        (0, 40, "abi_version 0 but this bridge implements abi_version 1"),
        (1, 16, "struct_size 16 but abi_version 1 needs at least 40"),
    ],
    ids=["newer-abi", "zero-abi", "short-struct"],
)
def test_a_vtable_the_bridge_cannot_read_is_refused(abi_version: int, struct_size: int, message: str) -> None:
    adapter = _capsule_input(lambda: testing.input_capsule_with_header(abi_version, struct_size))

    @csp.graph
    def graph() -> None:
        csp.add_graph_output("a", adapter())

    with pytest.raises(ValueError, match=message):
        run_realtime(graph, endtime=timedelta(milliseconds=50))


def test_an_unused_capsule_releases_its_adapter() -> None:
    # A capsule never used to build an adapter destroys what it holds.
    runtime = new_runtime()
    created, released = testing.object_counts()
    for _ in range(1000):
        runtime.input_capsule(Subscription("A"))
        runtime.output_capsule(Publication("A"))
        runtime.manager_capsule()
    assert testing.object_counts() == (created + 3000, released + 3000)


def test_import_refuses_another_csp_version(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_native, "CSP_BUILD_VERSION", "0.0.1")
    message = rf"built against csp 0\.0\.1 but csp {csp.__version__} is installed.*Rebuild"
    with pytest.raises(ImportError, match=message):
        _build.check_csp_version()


def test_build_version_is_the_running_csp() -> None:
    assert _native.CSP_BUILD_VERSION == csp.__version__
