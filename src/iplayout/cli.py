"""``iplayout`` console script.

Each subcommand lives next to the code it drives and is imported only when used, so
``iplayout --help`` stays fast and one area's import error does not break the others.
"""
from __future__ import annotations

import importlib
import sys

import click

from . import __version__
from .errors import IplayoutError

# name -> ("module:attribute" of a click command or group, one-line help shown without importing it)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "db": ("iplayout.db.cli:db", "Build, inspect and import into the integrated database."),
    "evaluate": ("iplayout.evaluation.cli:evaluate", "Score a table with an evaluation spec (weights, TOPSIS, coupling)."),
    "peers": ("iplayout.regions.cli:peers", "Structural peers of regions in a table (S3-style distance, nearest k)."),
    "parks": ("iplayout.regions.cli:parks", "Check or import the patent-navigation park list (params/parks.yaml)."),
    "run": ("iplayout.reporting.cli:run", "Execute run plans: render report sets with index and manifest."),
    "package": ("iplayout.reporting.cli:package", "Bundle a finished run into an acceptance package (zip)."),
    "catalogue": ("iplayout.stages.allocation_cli:catalogue", "Write the allocation guidance catalogue as an Excel workbook."),
    "policy": ("iplayout.stages.allocation_cli:policy", "Policy inventory: XLSX template and all-or-nothing import."),
    "verify": ("iplayout.reporting.cli:verify", "Re-check an acceptance package's checksums."),
    "explore": ("iplayout.explore.cli:explore", "Build the offline layout explorer (map site) from the database and runs."),
    "progress": ("iplayout.programme.cli:progress", "Pilot schedule: task status on a date, updates, publications."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return sorted(SUBCOMMANDS)

    def get_command(self, ctx, name):
        target = SUBCOMMANDS.get(name)
        if target is None:
            return None
        mod_name, attr = target[0].split(":")
        return getattr(importlib.import_module(mod_name), attr)

    def format_commands(self, ctx, formatter):
        rows = [(name, SUBCOMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, help="知识产权区域布局 (IP regional layout): database, evaluation and report sets.")
@click.version_option(__version__, prog_name="iplayout")
def cli() -> None:
    pass


def main(argv: list[str] | None = None) -> int:
    """Entry point: our own errors print as one clear message and exit 2, not a traceback."""
    try:
        cli.main(args=argv, prog_name="iplayout", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 1
    except IplayoutError as exc:
        click.echo(f"error: {exc}", err=True)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
