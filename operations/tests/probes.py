"""Run inside a child site (`manage.py shell -c`): write or read state, print it as JSON."""

import hashlib
import json

from django.utils import timezone


def _print(data) -> None:
    print(json.dumps(data, ensure_ascii=False, sort_keys=True))


def add_application() -> None:
    from membership import actions
    from membership.tests.conftest import sample_details
    from membership.tests.samples import jpeg_bytes
    from membership.uploads import clean_proof

    application, _code = actions.submit_application(
        details=sample_details(nickname="备份测试"),
        proof=clean_proof(jpeg_bytes()),
        language="zh-hans",
        now=timezone.now(),
    )
    _print({"application": application.pk})


def fingerprint() -> None:
    """Counts and values a backup must carry: pages, trials and every version, applications
    (their encrypted details and proofs read back with the key)."""
    from wagtail.models import Page

    from membership import storage
    from membership.models import Application
    from trials.models import Trial, TrialVersion

    _print(
        {
            "pages": sorted([page.url_path, page.title, page.live] for page in Page.objects.all()),
            "trials": sorted(
                [
                    trial.nct_id,
                    trial.overall_status,
                    trial.current_version.content_hash if trial.current_version else None,
                ]
                for trial in Trial.objects.select_related("current_version")
            ),
            "versions": sorted(
                [nct_id, content_hash, str(snapshot)]
                for nct_id, content_hash, snapshot in TrialVersion.objects.values_list(
                    "trial__nct_id", "content_hash", "snapshot_date"
                )
            ),
            "applications": [
                [
                    application.pk,
                    application.status,
                    application.details.nickname,
                    hashlib.sha256(storage.read(application.proof_name)).hexdigest(),
                ]
                for application in Application.objects.order_by("pk")
            ],
        }
    )


def sync_state() -> None:
    from trials.models import SyncRun, Trial, TrialVersion

    _print(
        {
            "versions": sorted(
                [nct_id, content_hash]
                for nct_id, content_hash in TrialVersion.objects.values_list(
                    "trial__nct_id", "content_hash"
                )
            ),
            "trials": sorted(Trial.objects.values_list("nct_id", flat=True)),
            "runs": [
                [run.kind, run.state, run.cursor.get("pages"), run.seen]
                for run in SyncRun.objects.order_by("started_at", "pk")
            ],
        }
    )
