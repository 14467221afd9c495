"""`load_demo` belongs to the demo app, the one layer allowed to assemble all the others."""

from django.core.management import get_commands


def test_load_demo_is_the_demo_apps_command():
    assert get_commands()["load_demo"] == "demo"
