"""Fault: `verhalenbank verhalen import` killed with SIGKILL halfway, then run again.

The import commits in batches; a kill loses at most the batch in progress. Running the same
file again must complete: every line stored exactly once (ids are the idempotency key), and
`verhalenbank analyse` catches up on the stories whose batch was committed but not yet
analysed when the process died, after which the search index matches the database. With
`--processen 2` the import and its helper worker are killed together while they analyse; the
run after it works the jobs they left waiting (those they held wait for their lease).
"""

from __future__ import annotations

import os
import signal
import time

import pytest

from tests.e2e.omgeving import omgeving, prepare
from tests.load.verhalen_maken import write_jsonl

pytestmark = pytest.mark.slow

AANTAL = int(os.environ.get("VERHALENBANK_FOUT_IMPORT_AANTAL", "600"))
KILL_NA = AANTAL // 3  # committed rows seen before the kill (the import commits per 100)
RONDE = "import-fout"
TIJDSLIMIET_SECONDS = 600


# "1": the import analyses batch by batch itself; "2": it queues the analysis and works the queue
# with a helper worker (the default for large files), killed together while they analyse.
@pytest.mark.parametrize("processen", ["1", "2"])
@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_import_killed_halfway_completes_on_rerun_without_duplicates(kind, processen, tmp_path):
    with omgeving(kind, tmp_path) as omg:
        prepare(omg, ronde=RONDE)
        bestand = write_jsonl(tmp_path / "verhalen.jsonl", AANTAL, ronde=RONDE)

        proces = omg.start("verhalen", "import", str(bestand), "--processen", processen, log_name="import")
        # With helpers the lines are stored in a second or two and the analysis follows: the kill
        # lands halfway through the analysis instead.
        teller = (
            "SELECT COUNT(*) FROM verhalen" if processen == "1"
            else "SELECT COUNT(*) FROM verhalen WHERE analyse_status = 'geanalyseerd'"
        )
        deadline = time.monotonic() + TIJDSLIMIET_SECONDS
        gezien = 0
        while gezien < KILL_NA:
            assert proces.poll() is None, f"import ended before it could be killed ({gezien})"
            assert time.monotonic() < deadline, f"only {gezien} after {TIJDSLIMIET_SECONDS}s"
            time.sleep(0.2)
            gezien = omg.scalar(teller)
        os.killpg(proces.pid, signal.SIGKILL)  # the import and its helper: one process group
        proces.wait(timeout=30)
        assert proces.returncode == -signal.SIGKILL

        na_kill = omg.scalar("SELECT COUNT(*) FROM verhalen")
        assert KILL_NA <= omg.scalar(teller) < AANTAL, "the kill must land halfway"

        tweede = omg.run("verhalen", "import", str(bestand), "--processen", processen, timeout=TIJDSLIMIET_SECONDS)
        assert f"{AANTAL - na_kill} opgeslagen, 0 geweigerd, {na_kill} overgeslagen" in tweede.stdout

        assert omg.scalar("SELECT COUNT(*) FROM verhalen") == AANTAL
        assert omg.scalar("SELECT COUNT(DISTINCT extern_id) FROM verhalen") == AANTAL
        assert omg.scalar("SELECT COUNT(*) FROM verhalen WHERE extern_id NOT LIKE 'gen-%'") == 0

        # The batch that was committed but not analysed when the import died is caught up.
        omg.run("analyse", timeout=TIJDSLIMIET_SECONDS)
        assert omg.scalar("SELECT COUNT(*) FROM verhalen WHERE analyse_status <> 'geanalyseerd'") == 0
        assert omg.search_index_count() == AANTAL
