import pytest

from .sites import Databases, Site


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    made = Databases(tmp_path_factory.mktemp("ops-databases"))
    yield made
    made.drop_all()


@pytest.fixture(scope="session")
def migrated_template(databases, tmp_path_factory):
    """The name of a database holding the migrated schema and nothing else."""
    url = databases.new()
    Site(url, tmp_path_factory.mktemp("template-site")).manage("migrate", "--no-input", "-v", "0")
    return databases.name_of(url)


@pytest.fixture
def new_site(databases, migrated_template, tmp_path):
    """Returns a factory of sites; `empty=True` gives one whose database has no table."""
    count = [0]

    def make(*, empty: bool = False, **extra) -> Site:
        count[0] += 1
        url = databases.new(template=None if empty else migrated_template)
        folder = tmp_path / f"site-{count[0]}"
        folder.mkdir()
        return Site(url, folder, extra)

    return make
