"""A backup holds the database and the generated files together; taken while people write,
it restores to exactly what was backed up, and its report downloads work."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from accounts.models import Agency
from actionplans.demo import demo_load
from actionplans.models import ReportingPeriod
from core.backup import backup_check, backup_make, backup_restore
from reports.models import QuarterlyReport
from reports.services import report_compile, report_request
from tests.helpers import BEDFORD, client_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def compiled(plan, csp_admin, settings, tmp_path: Path) -> QuarterlyReport:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with time_machine.travel(dt.datetime(2024, 4, 20, 9, 0, tzinfo=ZoneInfo("Europe/London")), tick=False):
        demo_load(today=dt.date(2024, 4, 20), scale=1)
        period = ReportingPeriod.objects.get(financial_year=2023, quarter=4)
        report = report_request(period=period, user=csp_admin, queue=False)
        assert report_compile(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == QuarterlyReport.Status.READY
    return report


def _writing_while(work):
    """Run `work` while another connection keeps adding agencies, as people would."""
    stop = threading.Event()
    written = []

    def writer() -> None:
        try:
            while not stop.is_set():
                written.append(Agency.objects.create(name=f"Agency written during the backup {len(written)}"))
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        return work(), written
    finally:
        stop.set()
        thread.join()


def test_a_backup_taken_while_people_write_restores_identically_with_working_downloads(
    compiled: QuarterlyReport,
    csp_admin,
    tmp_path: Path,
    settings,
) -> None:
    folder, written = _writing_while(lambda: backup_make(into=tmp_path / "backups"))
    manifest = json.loads((folder / "manifest.json").read_text())
    backed_up_agencies = manifest["tables"]["accounts_agency"]["rows"]

    result = backup_check(folder=folder)

    assert result.ok, result.problems
    assert written, "the writer should have added agencies while the backup ran"
    assert result.tables == len(manifest["tables"]) > 20
    assert result.files >= 3  # the report's HTML, PDF and spreadsheet, and its charts

    shutil.rmtree(settings.MEDIA_ROOT)  # lose the files and change the database after the backup
    Agency.objects.create(name="Added after the backup")
    backup_restore(folder=folder)

    assert Agency.objects.count() == backed_up_agencies
    assert not Agency.objects.filter(name="Added after the backup").exists()
    client = client_for(csp_admin)
    for fmt in ("pdf", "xlsx", "html"):
        download = client.get(reverse("reports:download", args=[BEDFORD, compiled.pk, fmt]))
        assert download.status_code == 200, fmt
        assert b"".join(download.streaming_content)


def test_the_check_names_a_report_file_the_backup_does_not_hold(compiled: QuarterlyReport, tmp_path: Path) -> None:
    from reports.files import report_dir

    (report_dir(compiled.pk) / compiled.pdf_file).unlink()

    result = backup_check(folder=backup_make(into=tmp_path / "backups"))

    assert not result.ok
    assert any(compiled.pdf_file in problem and "does not hold" in problem for problem in result.problems)


def test_the_check_refuses_a_backup_whose_files_were_changed(compiled: QuarterlyReport, tmp_path: Path) -> None:
    folder = backup_make(into=tmp_path / "backups")
    with (folder / "database.dump").open("ab") as dump:
        dump.write(b"\0")

    result = backup_check(folder=folder)

    assert result.problems == ["database.dump is not the file the backup wrote (its checksum differs)"]


def test_a_database_restored_without_its_files_says_so_rather_than_fail(
    compiled: QuarterlyReport,
    csp_admin,
    settings,
) -> None:
    shutil.rmtree(settings.MEDIA_ROOT)

    response = client_for(csp_admin).get(reverse("reports:download", args=[BEDFORD, compiled.pk, "pdf"]))

    assert response.status_code == 404


def test_the_command_backs_up_and_checks_a_backup(compiled: QuarterlyReport, tmp_path: Path) -> None:
    from io import StringIO

    from django.core.management import call_command

    made = StringIO()
    call_command("backup", str(tmp_path / "backups"), stdout=made)
    folder = made.getvalue().strip().removeprefix("Backed up to ")
    checked = StringIO()
    call_command("backup", folder, "--check", stdout=checked)

    assert "restores:" in checked.getvalue()
    assert "identical to the backup" in checked.getvalue()
