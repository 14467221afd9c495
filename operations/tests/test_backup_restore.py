"""manage.py backup, then manage.py restore into a fresh database: nothing is lost (ADR 0017).

Runs the commands in child processes against databases of their own (SQLite files, or new
databases on the throwaway PostgreSQL server under scripts/with-postgres.sh).
"""

import json

import pytest


@pytest.fixture
def demo_site(new_site):
    site = new_site()
    site.manage("load_demo", "-v", "0", timeout=600)
    site.probe("add_application")
    site.probe("add_application")
    return site


def test_restore_into_a_fresh_database_finds_pages_trials_history_and_applications(
    demo_site, new_site, tmp_path
):
    before = demo_site.probe("fingerprint")
    history = [row for row in before["versions"] if row[0] == "NCT02213705"]
    assert len(history) == 2 and history[0][2] != history[1][2]
    assert len(before["versions"]) > len(before["trials"]) >= 4
    assert any(title == "间充质干细胞" for _path, title, _live in before["pages"])
    assert [row[2] for row in before["applications"]] == ["备份测试", "备份测试"]

    out = demo_site.manage("backup", "--output", str(tmp_path / "backups")).stdout
    (folder,) = (tmp_path / "backups").iterdir()
    assert folder.name.startswith("backup-") and str(folder) in out
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["database_vendor"] in ("sqlite", "postgresql")
    assert "NOT in this backup" in manifest["encryption_keys"]
    assert ["trials", "0001_initial"] in manifest["migrations"]
    assert all(entry["bytes"] > 0 for entry in manifest["files"].values())
    assert "MEMBERSHIP_ENCRYPTION_KEYS" in out

    fresh = new_site(empty=True)
    fresh.manage("restore", str(folder))
    after = fresh.probe("fingerprint")
    assert after == before

    again = fresh.manage("restore", str(folder), check=False)
    assert again.returncode != 0
    assert "--force" in again.stderr
    fresh.manage("restore", str(folder), "--force")
    assert fresh.probe("fingerprint") == before


def test_a_damaged_backup_is_refused(demo_site, new_site, tmp_path):
    demo_site.manage("backup", "--output", str(tmp_path))
    (folder,) = tmp_path.glob("backup-*")
    manifest = json.loads((folder / "manifest.json").read_text())
    database = folder / manifest["files"]["database"]["name"]
    database.write_bytes(database.read_bytes()[:-100])
    fresh = new_site(empty=True)
    result = fresh.manage("restore", str(folder), check=False)
    assert result.returncode != 0
    assert database.name in result.stderr
