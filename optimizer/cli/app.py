"""The ``tierprice`` command group: tierprice's exceptions become one line and an exit code.

Every command is a subcommand of :func:`main` (registered by the command modules,
which :mod:`optimizer.cli` imports). :class:`TierpriceGroup` maps the package's
exceptions to the documented exit codes (:mod:`optimizer.cli.exits`); without
``--debug`` an unexpected error is one line and a warning is one line on stderr.
"""

from __future__ import annotations

from typing import Any

import click

from optimizer._version import __version__
from optimizer.cli.exits import (
    EXIT_BROKEN_PIPE,
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_SOLVER,
    EXIT_UNEXPECTED,
    EXIT_VERIFY,
    quiet_broken_pipe,
)
from optimizer.cli.record import history_options
from optimizer.cli.text import safe


class TierpriceGroup(click.Group):
    """Maps tierprice's exceptions to one-line messages and documented exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        from optimizer.errors import ScenarioError, SolverError, VerificationError

        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except ScenarioError as err:
            fail(ctx, str(err), EXIT_INVALID)
        except SolverError as err:
            fail(ctx, f"solver error: {err}", EXIT_SOLVER)
        except VerificationError as err:
            fail(ctx, f"verification failed: {err}", EXIT_VERIFY)
        except KeyboardInterrupt as stop:  # Ctrl-C, or a signal (console.Terminated)
            fail(ctx, str(stop) or "interrupted", getattr(stop, "exit_code", EXIT_INTERRUPTED))
        except BrokenPipeError:
            quiet_broken_pipe()  # the reader went away (| head): end quietly
            ctx.exit(EXIT_BROKEN_PIPE)
        except Exception as err:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            fail(
                ctx,
                f"unexpected error: {type(err).__name__}: {err} (run with --debug for "
                "the traceback)",
                EXIT_UNEXPECTED,
            )


def fail(ctx: click.Context, message: str, code: int) -> None:
    """End the command with one line on stderr and the exit code ``code``."""
    click.echo(safe(message, err=True), err=True)
    ctx.exit(code)


def _warning_line(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    """A warning as one line on stderr (no source lines; --debug shows Python's own)."""
    click.echo(safe(f"warning: {message}", err=True), err=True)


@click.group(cls=TierpriceGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="tierprice")
@click.option("--debug", is_flag=True, help="Show full tracebacks on unexpected errors.")
@history_options
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """tierprice: service-tier pricing for contact-centre outsourcing deals.

    Picks, per category, the service tier, the price point and the staffing per
    site that maximise the provider's margin while the client's limits hold.
    Exit codes: 0 ok, 1 unexpected, 2 invalid input, 3 infeasible, 4 solver,
    5 verification failed, 130 interrupted (Ctrl-C), 141 stdout closed early.
    Runs are recorded in the run history (tierprice runs --help); --db PATH
    and --no-history apply to every command that records or reads it.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    if not debug:
        import warnings

        warnings.showwarning = _warning_line
