"""`python -m devhost serve | run NAME | up`: the local stand-in for `func start`.

    serve  host the app's functions: HTTP on --host/--port, blob triggers polled, timers on schedule
    run    run one timer function now, once, and exit (1 when it failed)
    up     what `make run` does: Azurite with data in .azurite/, demo data, then serve until Ctrl-C
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import logging
import os
import signal
import sys
from pathlib import Path
from typing import NoReturn

from devhost import azurite
from devhost.appsettings import ConfigurationError
from devhost.host import DEFAULT_APP, ROOT, FunctionHost, load_app
from devhost.http_server import MAIL_PAGE
from devhost.mailbox import Mailbox
from devhost.ports import busy_ports_message, stop_leftover_azurite
from devhost.settings_file import SettingsFileError, load_settings_file
from devhost.timers import invoke_timer
from shared.observability import configure_logging

log = logging.getLogger("devhost")

AZURITE_PORTS = {"Azurite blob": 10000, "Azurite queue": 10001, "Azurite table": 10002}
AZURITE_DATA = ROOT / ".azurite"
DEVHOST_STATE = ROOT / ".devhost"
DEMO_MODULE = "devhost.demo"
SMTP_PORT = 2525


class CommandError(RuntimeError):
    """The command cannot go on; the message says why and what to do."""


def _prepare_settings(settings: Path) -> None:
    load_settings_file(settings, ROOT / "local.settings.sample.json")


def _interrupt(signum: int, frame: object) -> NoReturn:
    # uvicorn re-raises SIGTERM after its graceful shutdown; as KeyboardInterrupt it unwinds our `finally`s
    # (stopping Azurite) instead of killing the process on the spot.
    raise KeyboardInterrupt


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _base_url(address: str, port: int) -> str:
    shown = "127.0.0.1" if address in ("0.0.0.0", "::") else address  # noqa: S104 - displayed, not bound
    return f"http://{shown}:{port}"


def _serve(host: FunctionHost, address: str, port: int, mailbox: Mailbox | None = None) -> None:
    import uvicorn

    busy = busy_ports_message({"HTTP": port})
    if busy:
        raise CommandError(f"cannot serve on port {port}: {busy}. Stop it or pass --port.")
    app = host.asgi_app(mailbox)
    host.describe(_base_url(address, port))
    # log_config=None: uvicorn's loggers go through the JSON root handler. No access log: query strings can
    # carry personal data; the app logs each invocation itself.
    config = uvicorn.Config(app, host=address, port=port, log_config=None, access_log=False, lifespan="on")
    signal.signal(signal.SIGTERM, _interrupt)
    uvicorn.Server(config).run()


def cmd_serve(args: argparse.Namespace) -> int:
    _prepare_settings(args.settings)
    _serve(FunctionHost(load_app(args.app)), args.host, args.port)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    _prepare_settings(args.settings)
    host = FunctionHost(load_app(args.app))
    return 0 if invoke_timer(host.timer(args.function), reason="Manual run (devhost run)") else 1


def _seed_demo() -> list[str]:
    """Demo data and the lines that tell how to use it (devhost.demo is idempotent)."""
    if importlib.util.find_spec(DEMO_MODULE) is None:
        return []
    return [str(line) for line in importlib.import_module(DEMO_MODULE).seed_demo()]


def cmd_up(args: argparse.Namespace) -> int:
    _prepare_settings(args.settings)
    data = args.data_dir.resolve()
    storage_ports = dict(zip(AZURITE_PORTS, args.azurite_ports, strict=True))
    # Our Azurite dies with us; one an earlier run (or an older devhost) left on our data folder is stopped here.
    for pid in stop_leftover_azurite(data, storage_ports.values()):
        print(f"devhost: stopped the Azurite an earlier run left (pid {pid}, data in {data})", flush=True)
    busy = busy_ports_message({**storage_ports, "HTTP": args.port, "SMTP (local mailbox)": args.smtp_port})
    if busy:
        raise CommandError(
            f"cannot start: port {busy}. Stop that process (an earlier `make run` or another Azurite?) and retry."
        )
    DEVHOST_STATE.mkdir(exist_ok=True)
    blob, queue, table = storage_ports.values()
    try:
        storage = azurite.start(location=data, ports=(blob, queue, table), log_file=DEVHOST_STATE / "azurite.log")
    except RuntimeError as exc:
        raise CommandError(f"{exc} (its log: {DEVHOST_STATE.name}/azurite.log)") from None
    try:
        mailbox = Mailbox(args.smtp_port).start()
    except Exception:
        storage.stop()
        raise
    try:
        os.environ["AzureWebJobsStorage"] = storage.connection_string
        # The app mails through the local mailbox (settings in the environment win over the file's).
        os.environ.update(mailbox.settings())
        host = FunctionHost(load_app(args.app))
        demo = _seed_demo()
        base = _base_url(args.host, args.port)
        lines = [
            "",
            "Local Functions host (devhost) — Ctrl-C stops it and Azurite",
            f"  API base     {base}/api",
            f"  Health       {base}/api/health",
            f"  OpenAPI      {base}/api/openapi.json",
            f"  Web client   {base}/",
            f"  Storage      Azurite on 127.0.0.1:{blob}-{table}, data in {_shown(data)}/",
            f"  Mailbox      {base}{MAIL_PAGE} (email the app sends, caught on SMTP port {args.smtp_port})",
            *(f"  {line}" for line in demo),
            "",
        ]
        print("\n".join(lines), flush=True)
        _serve(host, args.host, args.port, mailbox)
    finally:
        mailbox.stop()
        storage.stop()
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m devhost", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    def common(command: argparse.ArgumentParser) -> None:
        command.add_argument("--app", default=DEFAULT_APP, help=f"module:attribute of the FunctionApp ({DEFAULT_APP})")
        command.add_argument(
            "--settings", type=Path, default=ROOT / "local.settings.json",
            help="local.settings.json to load (created from the sample when missing)",
        )

    for name, handler, summary in (("serve", cmd_serve, "serve the functions"), ("up", cmd_up, "Azurite + serve")):
        command = commands.add_parser(name, help=summary)
        common(command)
        command.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
        command.add_argument("--port", type=int, default=7071, help="HTTP port (7071)")
        command.set_defaults(handler=handler)
        if name == "up":
            command.add_argument(
                "--azurite-ports", type=int, nargs=3, metavar=("BLOB", "QUEUE", "TABLE"),
                default=list(AZURITE_PORTS.values()), help="Azurite's ports (10000 10001 10002)",
            )
            command.add_argument("--smtp-port", type=int, default=SMTP_PORT, help=f"local mailbox ({SMTP_PORT})")
            command.add_argument(
                "--data-dir", type=Path, default=AZURITE_DATA, help=f"Azurite's data ({AZURITE_DATA.name}/)"
            )
    run = commands.add_parser("run", help="run a timer function once, now")
    run.add_argument("function", help="name of the timer function")
    common(run)
    run.set_defaults(handler=cmd_run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    configure_logging()
    try:
        return args.handler(args)
    except (CommandError, ConfigurationError, SettingsFileError) as exc:
        print(f"devhost: {exc}", file=sys.stderr, flush=True)
        return 2
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
