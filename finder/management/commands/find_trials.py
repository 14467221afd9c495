"""manage.py find_trials: rank trials for a patient or a free-text case description."""

import json
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from finder.patient import DIAGNOSES, ORGANS, Patient
from finder.presenters import result_json
from finder.ranking import find
from finder.search import SearchRequest, UnknownPlace

SEXES = {"F": "FEMALE", "FEMALE": "FEMALE", "M": "MALE", "MALE": "MALE"}


class Command(BaseCommand):
    stealth_options = ("stdin",)
    help = _(
        "Rank the stored trials for a patient or a case description (Chinese or English). "
        "Prints the best first; nothing is stored."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--text", metavar="FILE|-", help=_("Case description from a file, or - for stdin.")
        )
        parser.add_argument("--age", type=int, help=_("Age in years."))
        parser.add_argument("--sex", help=_("F or M."))
        parser.add_argument("--city", default="", help=_("Where the patient lives: 成都, Seoul…"))
        parser.add_argument(
            "--country", default="", help=_("Country when not China (name or ISO code).")
        )
        parser.add_argument(
            "--max-distance", type=float, help=_("How far the patient can travel, in km.")
        )
        parser.add_argument("--condition", default="", help=_("What every trial must be about."))
        parser.add_argument("--diagnosis", choices=DIAGNOSES)
        parser.add_argument("--organ", action="append", choices=ORGANS, default=[])
        parser.add_argument(
            "--include-finished",
            action="store_true",
            help=_("Also show trials that are no longer recruiting."),
        )
        parser.add_argument("--top", type=int, default=10, help=_("How many trials (default 10)."))
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help=_("Language of the reasons."),
        )

    def handle(self, *args, **options):
        with translation.override(options["language"]):
            request = self._request(options)
            try:
                outcome = find(request, today=timezone.localdate())
            except UnknownPlace as exc:
                raise CommandError(_unknown_place(exc)) from None
            rows = [
                result_json(result, rank=rank)
                for rank, result in enumerate(outcome.ranked()[: request.top], start=1)
            ]
            if options["format"] == "json":
                self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
                return
            if not rows:
                self.stdout.write(_("No trial found."))
            for row in rows:
                self.stdout.write(
                    f"{row['rank']:>3}. {row['nct_id']}  {row['score']:.3f}  {row['title']}"
                )
                for reason in row["exclusion_reasons"] + row["reasons"]:
                    self.stdout.write(f"       - {reason}")

    def _request(self, options) -> SearchRequest:
        text = ""
        if options["text"] == "-":
            text = (options.get("stdin") or sys.stdin).read()
        elif options["text"]:
            path = Path(options["text"])
            if not path.is_file():
                raise CommandError(_("No such file: %(path)s") % {"path": path})
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                raise CommandError(_("%(path)s is not UTF-8 text.") % {"path": path}) from None
        age = options["age"]
        if age is not None and not 0 <= age <= 120:
            raise CommandError(_("--age must be between 0 and 120."))
        sex = None
        if options["sex"]:
            sex = SEXES.get(options["sex"].strip().upper())
            if sex is None:
                raise CommandError(_("--sex must be F or M."))
        if options["top"] < 1:
            raise CommandError(_("--top must be at least 1."))
        if options["max_distance"] is not None and options["max_distance"] <= 0:
            raise CommandError(_("--max-distance must be a positive number of km."))
        patient = Patient(
            age=age,
            sex=sex,
            diagnosis=options["diagnosis"],
            organs=frozenset(options["organ"]),
            city=options["city"],
            country=options["country"],
            max_distance_km=options["max_distance"],
            text=text,
        )
        return SearchRequest(
            patient=patient,
            condition=options["condition"],
            include_finished=options["include_finished"],
            top=options["top"],
        )


def _unknown_place(exc: UnknownPlace) -> str:
    if exc.suggestions:
        return _("Unknown city %(city)r. Did you mean: %(names)s?") % {
            "city": exc.city,
            "names": ", ".join(exc.suggestions),
        }
    return _("Unknown city %(city)r: give a Chinese prefecture-level city or a world city.") % {
        "city": exc.city
    }
