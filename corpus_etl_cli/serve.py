"""``corpus-etl serve`` (a scheduled deployment) and ``corpus-etl server`` (a local Prefect server)."""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from corpus_etl import storage
from corpus_etl.discover import SourceNotFound, expand_sources
from corpus_etl.lifeline import set_parent_death_signal
from corpus_etl_cli.common import (
    DaskAddressOpt,
    FailOnOpt,
    IngestFailOn,
    LakeOpt,
    Runner,
    RunnerOpt,
    WaitOpt,
    WarehouseOpt,
    _fail,
    _quiet_prefect,
    _scale_settings,
    app,
)

DEPLOYMENT_NAME = "scheduled"


def _absolute_sources(sources: list[str]) -> list[str]:
    """SOURCE arguments for a deployment: local paths made absolute (its runs start elsewhere), URIs as given."""
    return [a if storage.is_uri(a) else os.path.abspath(os.path.expanduser(a)) for a in sources]


@app.command()
def serve(
    sources: Annotated[
        list[str], typer.Argument(help="Files, directories, globs or s3:// prefixes to ingest.", show_default=False)
    ],
    cron: Annotated[str, typer.Option("--cron", help="When to run: a cron expression (UTC).")] = "*/15 * * * *",
    warehouse: WarehouseOpt = Path("data"),
    name: Annotated[str, typer.Option("--name", help="Deployment name.")] = DEPLOYMENT_NAME,
    workers: Annotated[int, typer.Option("--workers", "-j", help="Worker processes; 0 = one per core.")] = 0,
    no_validate: Annotated[bool, typer.Option("--no-validate", help="Skip the Great Expectations suites.")] = False,
    wait: WaitOpt = 0.0,
    runner: RunnerOpt = Runner.local,
    dask_address: DaskAddressOpt = None,
    lake: LakeOpt = None,
    fail_on: FailOnOpt = IngestFailOn.any,
) -> None:
    """Register a deployment of the ingest flow with a cron schedule and serve it (runs until Ctrl-C).

    Needs a Prefect server: set PREFECT_API_URL (e.g. http://127.0.0.1:4200/api, started by
    `corpus-etl server`). Each scheduled run ingests only new or changed files. Runs of the deployment
    never overlap (a deployment concurrency limit of 1: a due run waits for the previous one), and any
    other writer of the warehouse is kept out by its run lock (--wait SECONDS to wait for it).

    Example: corpus-etl serve ../shared/seeds --cron "*/15 * * * *" --warehouse /srv/corpus
    """
    _quiet_prefect()
    from prefect.client.schemas.objects import (  # lazy: start-up
        ConcurrencyLimitConfig,
        ConcurrencyLimitStrategy,
    )
    from prefect.settings import PREFECT_API_URL  # lazy: start-up

    from corpus_etl.settings import Settings  # lazy: start-up

    if not PREFECT_API_URL.value():
        raise _fail(
            "serve needs a Prefect server: start one with `corpus-etl server` and set "
            "PREFECT_API_URL=http://127.0.0.1:4200/api"
        )
    try:
        from prefect.client.schemas.schedules import CronSchedule  # lazy: start-up

        CronSchedule(cron=cron)
    except ValueError as exc:
        raise _fail(f"--cron {cron!r} is not a valid cron expression: {str(exc).splitlines()[0]}") from None
    srcs = _absolute_sources(sources)
    try:
        expand_sources(srcs)
    except SourceNotFound as exc:
        raise _fail(str(exc)) from None
    settings = Settings(
        warehouse=warehouse.expanduser().resolve(),
        workers=workers,
        validate_data=not no_validate,
        **_scale_settings(wait, runner, dask_address, lake),
    )
    from flows.ingest import ingest as ingest_flow  # lazy: start-up

    ingest_flow.serve(
        name=name,
        cron=cron,
        parameters={
            "sources": srcs,
            "settings": json.loads(settings.model_dump_json()),
            "fail_on": fail_on.value,  # a run with failed files or DQ errors ends Failed
        },
        description=f"corpus-etl ingest of {' '.join(srcs)} into {settings.warehouse}",
        tags=["corpus-etl"],
        global_limit=ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE),
    )


def _is_loopback(host: str) -> bool:
    """Whether ``host`` is localhost or a loopback IP address (anything else may be reached from elsewhere)."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@app.command()
def server(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 4200,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the command and settings, do not start.")] = False,
) -> None:
    """Start a Prefect server on this machine (`prefect server start`) with the settings that matter offline.

    Telemetry off, no update checks, the database in PREFECT_HOME (default ~/.prefect); the UI is served
    from the installed package (no CDN). Point runs at it with PREFECT_API_URL=http://HOST:PORT/api.
    """
    env = {
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_UI_API_URL": f"http://{host}:{port}/api",
        "PREFECT_SERVER_API_HOST": host,
        "PREFECT_SERVER_API_PORT": str(port),
    }
    exe = shutil.which("prefect") or str(Path(sys.executable).with_name("prefect"))
    cmd = [exe, "server", "start", "--host", host, "--port", str(port)]
    if not _is_loopback(host):
        typer.echo(
            f"corpus-etl: warning: --host {host} is not a loopback address: the Prefect server (no authentication) "
            "will accept connections from other machines; use 127.0.0.1 unless that is what you want",
            err=True,
        )
    typer.echo(f"export PREFECT_API_URL=http://{host}:{port}/api   # for corpus-etl serve / ingest", err=True)
    if dry_run:
        typer.echo(" ".join(f"{k}={v}" for k, v in env.items()) + " " + " ".join(cmd))
        return
    raise typer.Exit(_run_forwarding_signals(cmd, {**os.environ, **env}))


def _run_forwarding_signals(cmd: list[str], env: dict[str, str]) -> int:
    """Run ``cmd`` until it exits, passing SIGTERM, SIGINT and SIGHUP on to it (a service manager stops this
    process, the server stops with it), and it dies with this process (``kill -9`` included: the kernel's
    parent-death signal). Returns its exit status (128 + N when a signal N ended it, as a shell says)."""
    proc = subprocess.Popen(cmd, env=env, preexec_fn=set_parent_death_signal)

    def forward(signum: int, _frame: Any) -> None:
        if proc.poll() is None:
            proc.send_signal(signum)

    previous = {s: signal.signal(s, forward) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
    try:
        code = proc.wait()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    return 128 - code if code < 0 else code
