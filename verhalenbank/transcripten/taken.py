"""Background jobs of the transcripts domain (kinds registered in verhalenbank/app.py)."""

from __future__ import annotations

TRANSCRIPT_LEZEN = "transcripten.lezen"


def plan_lezen(transcript_id: int) -> None:
    """Queue reading a stored transcript (flush only; commits with the upload)."""
    from verhalenbank.core.jobs import plan_job

    plan_job(TRANSCRIPT_LEZEN, {"transcript_id": int(transcript_id)})


def lees_job(payloads: list[dict]) -> None:
    """Job handler: read and split each transcript. `verwerk_transcript` writes progress as it
    goes (the page polls it) and skips a transcript that is no longer being read, so a job
    taken again after a crash does nothing twice."""
    from verhalenbank.transcripten.operations import verwerk_transcript

    for payload in payloads:
        verwerk_transcript(int(payload["transcript_id"]))
