"""Tasks survive a crashed worker (issue 13, finding 6; core/task_recovery.py).

The crash test runs real `manage.py db_worker` processes: the first is SIGKILLed while its
extractor child is blocked reading a named pipe the test controls; the child must die with it, and
a second worker must take the task again and finish it once the test writes the text into the pipe.
"""

import contextlib
import os
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.tasks.base import TaskResultStatus
from django.urls import reverse
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from core.task_recovery import recover_abandoned_tasks, worker_application_name
from depository.models import Attachment, Entry
from depository.models.attachments import ExtractionStatus
from depository.tasks import extract_attachment_text, extract_document_text
from members.models import PaperVersion
from tests.members_helpers import make_paper

BASE_DIR = Path(django_settings.BASE_DIR)
DEADLINE = 60  # seconds for any one thing a worker must do
TEXT = "Recovered after the crash of its first worker"


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "attachments").mkdir(parents=True)
    return settings.MEDIA_ROOT


def make_entry():
    return Entry.objects.create(kind="publication", title="Urban safety and peacebuilding", slug="urban-safety")


def make_attachment(entry, name, **fields):
    return Attachment.objects.create(
        entry=entry, file=f"attachments/{name}", original_name=name, content_type="text/plain; charset=utf-8", **fields
    )


def start_worker(media_root, worker_id, tmp_path, **environment):
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "MEDIA_ROOT": str(media_root),
        **environment,
    }
    log = open(tmp_path / f"{worker_id}.log", "w")  # noqa: SIM115 - closed by stop_worker
    process = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--no-reload", "--interval", "0.2",
         "--worker-id", worker_id],
        cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    process.log = log
    return process


def stop_worker(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    process.log.close()


def wait_for(condition, worker, what):
    """Return condition()'s first true value, checked until DEADLINE; waits on the worker process
    between checks, so a worker that dies ends the wait at once (with its log)."""
    deadline = time.monotonic() + DEADLINE
    while True:
        value = condition()
        if value:
            return value
        assert worker.poll() is None, f"the worker died: {Path(worker.log.name).read_text()}"
        assert time.monotonic() < deadline, f"{what}: not within {DEADLINE} s. {Path(worker.log.name).read_text()}"
        with contextlib.suppress(subprocess.TimeoutExpired):
            worker.wait(timeout=0.2)


def extractor_of(worker, path):
    """The pid of `worker`'s extractor child once it is blocked opening the named pipe `path`, or None.
    Blocked, not just started: a child killed during its start-up would exit by itself (it checks its
    parent), which would not prove that the kernel kills it with its worker."""
    children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()
    for pid in children:
        with contextlib.suppress(FileNotFoundError):
            if str(path).encode() not in Path(f"/proc/{pid}/cmdline").read_bytes():
                continue
            # Linux's fs/pipe.c: an open() of a FIFO waiting for a writer sleeps in wait_for_partner.
            if "partner" in Path(f"/proc/{pid}/wchan").read_text():
                return int(pid)
    return None


def wait_for_exit(pid, timeout):
    """True once the process `pid` (not ours) has ended, waiting on its pidfd, at most `timeout` s."""
    try:
        descriptor = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        return bool(select.select([descriptor], [], [], timeout)[0])
    finally:
        os.close(descriptor)


def task_row(task_id):
    return DBTaskResult.objects.get(pk=task_id)


@pytest.mark.servers
@pytest.mark.django_db(transaction=True)
def test_a_task_of_a_killed_worker_is_finished_by_the_next_and_its_extractor_dies(media_root, tmp_path):
    fifo = media_root / "attachments" / "blocking.txt"
    os.mkfifo(fifo)
    attachment = make_attachment(make_entry(), "blocking.txt")
    task_id = extract_attachment_text.enqueue(attachment.pk).id

    first = start_worker(media_root, "worker-a", tmp_path)
    try:
        # The extraction has started: its child is blocked opening the pipe, which nobody writes yet.
        child = wait_for(lambda: extractor_of(first, fifo), first, "the first worker's extractor")
        assert task_row(task_id).status == TaskResultStatus.RUNNING
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=DEADLINE)
        assert wait_for_exit(child, timeout=10), "the extractor outlived its killed worker"
    finally:
        stop_worker(first)
    row = task_row(task_id)
    assert (row.status, row.worker_ids) == (TaskResultStatus.RUNNING, ["worker-a"])
    assert Attachment.objects.get().extraction_status == ExtractionStatus.PENDING

    second = start_worker(media_root, "worker-b", tmp_path, TASK_RECOVERY_INTERVAL="1")
    try:
        wait_for(lambda: extractor_of(second, fifo), second, "the second worker's extractor")
        writer = threading.Thread(target=lambda: fifo.write_text(TEXT), daemon=True)
        writer.start()
        writer.join(timeout=DEADLINE)
        assert not writer.is_alive(), "nobody read the pipe"
        wait_for(
            lambda: task_row(task_id).status == TaskResultStatus.SUCCESSFUL, second, "the task finished by worker-b"
        )
    finally:
        stop_worker(second)
    assert task_row(task_id).worker_ids == ["worker-a", "worker-b"]
    attachment.refresh_from_db()
    assert (attachment.extraction_status, attachment.extracted_text) == (ExtractionStatus.DONE, TEXT)


def running_task(task, *args, worker_ids):
    result = task.enqueue(*args)
    DBTaskResult.objects.filter(pk=result.id).update(status=TaskResultStatus.RUNNING, worker_ids=worker_ids)
    return result.id


@pytest.fixture
def live_worker():
    """A database session named as the worker "alive-1" names its own."""
    database = connection.settings_dict
    session = psycopg2.connect(
        dbname=database["NAME"],
        user=database["USER"],
        host=database["HOST"],
        port=database["PORT"],
        application_name=worker_application_name("alive-1"),
    )
    yield "alive-1"
    session.close()


@pytest.mark.django_db
def test_retries_are_bounded_and_a_live_workers_task_is_left_alone(media_root, member, settings, live_worker):
    settings.TASK_MAX_ATTEMPTS = 3
    entry = make_entry()
    once, thrice, alive = (make_attachment(entry, name) for name in ("once.txt", "thrice.txt", "alive.txt"))
    version = PaperVersion.objects.create(
        paper=make_paper(member), number=1, file="papers/x.pdf", original_name="x.pdf", kind="pdf",
        content_type="application/pdf", size=10, sha256="0" * 64,
    )  # fmt: skip
    requeue_id = running_task(extract_attachment_text, once.pk, worker_ids=["dead-1"])
    give_up_id = running_task(extract_attachment_text, thrice.pk, worker_ids=["dead-1", "dead-2", "dead-3"])
    give_up_paper_id = running_task(
        extract_document_text, "members.PaperVersion", version.pk, worker_ids=["dead-1", "dead-2", "dead-3"]
    )
    alive_id = running_task(extract_attachment_text, alive.pk, worker_ids=["dead-1", live_worker])

    with translation.override("en"):  # a worker's language; another test may have left another active
        requeued, failed = recover_abandoned_tasks()

    assert requeued == [str(requeue_id)]
    assert sorted(failed) == sorted([str(give_up_id), str(give_up_paper_id)])
    assert task_row(requeue_id).status == TaskResultStatus.READY
    assert task_row(alive_id).status == TaskResultStatus.RUNNING
    given_up = task_row(give_up_id)
    assert given_up.status == TaskResultStatus.FAILED
    assert given_up.exception_class_path == "core.task_recovery.WorkerLost"
    assert "3 attempts" in given_up.traceback
    for document in (thrice, version):
        document.refresh_from_db()
        assert document.extraction_status == ExtractionStatus.FAILED
        assert "its worker died" in document.extraction_error
    for document in (once, alive):
        document.refresh_from_db()
        assert document.extraction_status == ExtractionStatus.PENDING
    # Nothing left to recover: a second pass changes nothing.
    assert recover_abandoned_tasks() == ([], [])


@pytest.mark.servers
def test_a_worker_id_too_long_for_an_application_name_is_refused():
    result = subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload", "--worker-id", "w" * 60],
        cwd=BASE_DIR, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "--worker-id has at most 52 characters" in result.stderr


@pytest.mark.django_db
def test_the_admin_lists_stuck_and_failed_extractions_of_attachments_and_paper_versions(
    organizer_client, member, media_root, django_assert_num_queries
):
    entry = make_entry()
    stuck = make_attachment(entry, "stuck.txt")
    queued = make_attachment(entry, "queued.txt")
    extract_attachment_text.enqueue(queued.pk)
    failed = make_attachment(entry, "failed.txt", extraction_status=ExtractionStatus.FAILED, extraction_error="x")
    make_attachment(entry, "done.txt", extraction_status=ExtractionStatus.DONE)

    url = reverse("admin:depository_attachment_changelist")
    # One facet query per filter, the start page's "Needs attention" filter (portal.attention) included.
    with django_assert_num_queries(13):
        page = organizer_client.get(url, {"extraction_problem": "stuck"})
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [stuck]
    assert "Stuck: waiting, with no task queued or running" in page.content.decode()
    page = organizer_client.get(url, {"extraction_problem": "failed"})
    assert list(page.context["cl"].result_list) == [failed]

    paper, PENDING = make_paper(member), ExtractionStatus.PENDING
    versions = [
        PaperVersion.objects.create(
            paper=paper, number=number, file=f"papers/{number}.pdf", original_name=f"{number}.pdf", kind="pdf",
            content_type="application/pdf", size=10, sha256="0" * 64, extraction_status=status,
        )
        for number, status in [(1, PENDING), (2, PENDING), (3, ExtractionStatus.FAILED)]
    ]  # fmt: skip
    extract_document_text.enqueue("members.PaperVersion", versions[1].pk)
    url = reverse("admin:members_paperversion_changelist")
    page = organizer_client.get(url, {"extraction_problem": "stuck"})
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [versions[0]]
    page = organizer_client.get(url, {"extraction_problem": "failed"})
    assert list(page.context["cl"].result_list) == [versions[2]]
