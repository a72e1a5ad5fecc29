"""The fvfield command."""
import click
from flask.cli import FlaskGroup


def init_app(app):
    """Register fvfield's commands on the app's CLI."""


def create():
    from . import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=create, add_default_commands=False)
def main():
    """fvfield: offline-first field recording for community teams."""
