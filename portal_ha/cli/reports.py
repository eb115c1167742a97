"""The commands that describe an architecture from its synthesized stack: the diagram and the failover budget."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .common import arch_argument, fresh_option, local_option, say, synthesized


@click.command()
@arch_argument
@local_option
@fresh_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Image to write (.png or .svg). Default: ARCH.png in the current folder.")
@click.option("--outline", is_flag=True, help="Print the diagram as text instead of drawing it (no Graphviz).")
def diagram(arch: str, local: bool, fresh: bool, output: Path | None, outline: bool) -> None:
    """Draw ARCH from its synthesized stack: regions, tiers, firewalls, NLBs, instances, EFS, DB, peering."""
    from ..reports import diagram as drawing

    model = drawing.build(synthesized(arch, local, fresh=fresh)[1])
    if outline:
        click.echo(drawing.outline(model), nl=False)
        return
    target = output or Path(f"{arch}.png")
    try:
        drawing.render(model, target)
    except (drawing.GraphvizMissing, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    say(f"wrote {target} ({len(model.all_nodes())} nodes, {len(model.links)} links)")


@click.command()
@arch_argument
@local_option
@fresh_option
@click.option("--markdown", "as_markdown", is_flag=True, help="Print a Markdown table (for the README).")
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON.")
@click.option("--check", is_flag=True, help="Exit 1 if any row misses its target.")
def report(arch: str, local: bool, fresh: bool, as_markdown: bool, as_json: bool, check: bool) -> None:
    """The failover budget of ARCH, computed from its synthesized stack and the context's targets."""
    from ..reports import budget

    if as_markdown and as_json:
        raise click.UsageError("choose one of --markdown and --json")
    settings, stack = synthesized(arch, local, fresh=fresh)
    rows = budget.build(stack, settings.targets)
    if as_json:
        click.echo(budget.render_json(rows))
    elif as_markdown:
        click.echo(budget.render_markdown(arch, rows), nl=False)
    else:
        click.echo(budget.render_text(arch, rows), nl=False)
    missed = budget.misses(rows)
    if check and missed:
        for row in missed:
            click.echo(f"  misses: {row.failure} ({row.scope}): {row.figure}, target {row.target}", err=True)
        sys.exit(1)
