"""Child process of the cold-start benchmark: `python -m bench.import_probe discover|deps|app`.

- discover: import function_app; print the third-party modules it loaded, in load order.
- deps:     import the modules named on stdin (one per line), in that order.
- app:      import function_app.
- floor:    import the platform the app cannot do without (PLATFORM_FLOOR), and nothing else.
- first_use PART: import function_app untimed, then time what the first request needing PART loads
            (FIRST_USE[PART]), as that request pays it once.
Each prints one JSON line: wall-clock seconds spent importing (perf_counter), the CPU seconds of this
process meanwhile (process_time: what other processes on a busy machine barely disturb), and the
network attempts seen.

Network attempts are counted two ways and refused, so a stray call at import can neither reach the
network nor go unnoticed: the socket API is patched (connect, connect_ex, create_connection,
getaddrinfo) and an audit hook watches the interpreter's socket events, which also catches C code and
names bound before the patch. The patch needs `socket` imported first; that is done in every mode, so
both sides of the comparison pay for it equally.
"""

import socket
import sys
from time import perf_counter, process_time  # built in and already loaded: importing it costs neither side

OWN_PACKAGES = frozenset({"function_app", "functions", "shared", "bench"})
# The platform floor (issue 26): what any Functions app storing its data in Tables and Blobs with typed
# settings imports (they already bring requests, urllib3 and cryptography); the app's own import is measured
# against it.
PLATFORM_FLOOR = ("azure.functions", "azure.data.tables", "azure.storage.blob", "pydantic", "pydantic_settings")
_AUDITED = frozenset({"socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr"})
patched_calls: list[str] = []
audited_events: list[str] = []


def _refuse(name: str):
    def refuse(*args, **kwargs):
        patched_calls.append(name)
        raise OSError(f"network call during import refused by bench.import_probe: {name}")

    return refuse


def _audit(event: str, args: tuple) -> None:
    if event in _AUDITED:
        audited_events.append(event)


def guard_network() -> None:
    socket.socket.connect = _refuse("socket.connect")  # type: ignore[method-assign]
    socket.socket.connect_ex = _refuse("socket.connect_ex")  # type: ignore[method-assign]
    socket.create_connection = _refuse("socket.create_connection")
    socket.getaddrinfo = _refuse("socket.getaddrinfo")
    sys.addaudithook(_audit)


def _stdlib_dirs() -> tuple[str, ...]:
    import sysconfig

    paths = sysconfig.get_paths()
    return tuple({paths["stdlib"], paths["platstdlib"]})


def third_party(before: set[str]) -> list[str]:
    """Modules loaded since `before` that belong to neither the standard library nor this project.

    Every submodule is listed, not only top-level packages: `azure` is a namespace package (importing it
    loads nothing) and pydantic loads most of itself lazily, so top-level imports alone would credit
    dependency code to ours. Modules without a spec are Cython bookkeeping, not importable; the
    stdlib check by location catches the stdlib modules `sys.stdlib_module_names` misses
    (`_sysconfigdata_*`).
    """
    loaded = [(name, module) for name, module in list(sys.modules.items()) if name not in before]
    stdlib = _stdlib_dirs()
    names = []
    for name, module in loaded:
        top = name.partition(".")[0]
        spec = getattr(module, "__spec__", None)
        if top in sys.stdlib_module_names or top in OWN_PACKAGES or spec is None:
            continue
        origin = spec.origin or ""
        if origin.startswith(stdlib) and "site-packages" not in origin:
            continue
        names.append(name)
    return names


def main() -> None:
    mode = sys.argv[1]
    guard_network()
    wanted = [line.strip() for line in sys.stdin.read().splitlines() if line.strip()] if mode == "deps" else []
    before = set(sys.modules)
    failed: list[str] = []
    if mode == "deps":
        started, cpu_started = perf_counter(), process_time()
        for name in wanted:
            if name in sys.modules:
                continue
            try:
                __import__(name)
            except Exception:  # noqa: BLE001 - a module that cannot be imported alone is reported, not fatal
                failed.append(name)
        seconds, cpu_seconds = perf_counter() - started, process_time() - cpu_started
    elif mode == "floor":
        started, cpu_started = perf_counter(), process_time()
        for name in PLATFORM_FLOOR:
            __import__(name)
        seconds, cpu_seconds = perf_counter() - started, process_time() - cpu_started
    elif mode == "first_use":
        from bench.first_use import FIRST_USE

        __import__("function_app")
        started, cpu_started = perf_counter(), process_time()
        FIRST_USE[sys.argv[2]]()
        seconds, cpu_seconds = perf_counter() - started, process_time() - cpu_started
    elif mode in ("app", "discover"):
        started, cpu_started = perf_counter(), process_time()
        __import__("function_app")
        seconds, cpu_seconds = perf_counter() - started, process_time() - cpu_started
    else:
        raise SystemExit(f"unknown mode {mode!r}")

    # json only now, so its import is not timed on either side.
    import json

    report = {
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "patched_calls": patched_calls,
        "audited_events": audited_events,
        "failed": failed,
        "loaded": len(set(sys.modules) - before),
    }
    if mode == "discover":
        report["modules"] = third_party(before)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
