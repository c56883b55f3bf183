"""The `verhalenbank` command line (INTERFACES §4).

User errors (`Gebruikersfout`) become a one-line reason and a non-zero exit, never a traceback.
Domain commands live in each domain's `cli.py` and are listed here explicitly, in `COMMANDS`.

Commands are loaded lazily: `verhalenbank --help` and `verhalenbank zoek …` import only the
module of the command that runs, so a command starts without paying for every domain (and
never for spaCy, scikit-learn or WeasyPrint unless it needs them). The short help shown in
the command list is kept next to each entry; `tests/core/test_cli_start.py` checks that it
equals the command's own help.
"""

from __future__ import annotations

import importlib
import sys

import click

from verhalenbank.core.errors import Gebruikersfout

# name -> ("module:attribute", short help as the command's docstring starts)
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("verhalenbank.opstart:init", "Create or migrate the database and the search index."),
    "demo": ("verhalenbank.demo:demo", "Init, load the example trees and stories, and serve the app."),
    "serve": (
        "verhalenbank.opstart:serve",
        "Serve the app with a production WSGI server (waitress; gunicorn with --workers > 1).",
    ),
    "worker": (
        "verhalenbank.core.cli:worker",
        "Work the job queue: analysis, indexing, transcripts (run one or more, on any machine).",
    ),
    "doelenboom": (
        "verhalenbank.doelenbomen.cli:doelenboom",
        "Import and export doelenbomen (YAML exchange format).",
    ),
    "verhalen": ("verhalenbank.verhalen.cli:verhalen", "Import and export stories (JSON Lines exchange format)."),
    "ronde": ("verhalenbank.rondes.cli:ronde", "Manage rondes (collection rounds)."),
    "gebruiker": ("verhalenbank.accounts.cli:gebruiker", "Manage accounts."),
    "transcript": (
        "verhalenbank.transcripten.cli:transcript",
        "Transcripts of telling sessions (.txt .docx .pdf .vtt .srt).",
    ),
    "zoek": (
        "verhalenbank.zoeken.cli:zoek",
        "Search the stories as the web app's /zoeken does (same query syntax and filters).",
    ),
    "reindex": ("verhalenbank.zoeken.cli:reindex", "Rebuild the search index from the database."),
    "pakket": (
        "verhalenbank.pakketten.cli:pakket",
        "Write the na-waarderen feedback pack of a ronde (with the facilitator's saved choices).",
    ),
    "opschonen": (
        "verhalenbank.rondes.cli:opschonen",
        "Delete stories older than their ronde's retention period, and purge erased stories "
        "from the search index files (AVG).",
    ),
    "analyse": (
        "verhalenbank.nlp.cli:analyse",
        "Analyse stories: public text without names, lemmas, keywords, suggested tags.",
    ),
    "train": (
        "verhalenbank.nlp.cli:train",
        "Learn from confirmed tags per doelenboom; prints per-subdoel figures from cross-validation.",
    ),
    "waarderen": ("verhalenbank.waarderen.cli:waarderen", "Waarderingssessies: what panels chose, letters to tellers, rondes side by side."),
}


def load_command(name: str) -> click.Command:
    target, _short_help = COMMANDS[name]
    module_name, attribute = target.split(":")
    return getattr(importlib.import_module(module_name), attribute)


class VerhalenbankGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(COMMANDS))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = self.commands.get(cmd_name)
        if command is None and cmd_name in COMMANDS:
            command = self.commands[cmd_name] = load_command(cmd_name)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from `COMMANDS`, without importing any command's module."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            if name in COMMANDS and name not in self.commands:
                text = click.utils.make_default_short_help(COMMANDS[name][1], limit)
            else:
                text = self.commands[name].get_short_help_str(limit)
            rows.append((name, text))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context):
        from sqlalchemy.exc import OperationalError, ProgrammingError

        try:
            return super().invoke(ctx)
        except Gebruikersfout as exc:
            raise click.ClickException(exc.bericht) from None
        except (OperationalError, ProgrammingError) as exc:
            text = str(exc.orig).lower()
            if "no such table" in text or "does not exist" in text:
                raise click.ClickException(
                    "The database is not initialised or not up to date: run `verhalenbank init` first."
                ) from None
            raise click.ClickException(f"Database error: {str(exc.orig).splitlines()[0]}") from None


# Commands that serve pages get the whole app; every other command the lean one (no URL map,
# no drift check), which starts several times faster.
WEB_COMMANDS = frozenset({"serve", "demo"})


@click.group(cls=VerhalenbankGroup)
@click.version_option(package_name="verhalenbank")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Verhalenbank: verhalen verzamelen, analyseren, zoeken en teruggeven."""
    from flask.cli import ScriptInfo

    if not isinstance(ctx.obj, ScriptInfo):
        web = ctx.invoked_subcommand in WEB_COMMANDS

        def _create_app():
            from verhalenbank.app import create_app

            return create_app(web=web)

        ctx.obj = ScriptInfo(create_app=_create_app)


if __name__ == "__main__":
    sys.exit(main())
