"""The batch pipeline: store rows, analyse chunks, count progress in the database.

Plain functions over a database URL; the Celery tasks in ``worker.tasks`` are thin
wrappers around them and tests call them directly. Every step is idempotent: a
chunk only touches rows still ``pending``, and the batch counters grow by the
number of rows a statement actually changed, so a re-delivered chunk changes
nothing.

- ``storing``: a file's rows, stored chunk by chunk, each chunk enqueued after its commit;
- ``pasting``: a pasted posting, a one-row batch;
- ``claiming``: an attempt at a chunk counted, with the rows it must run;
- ``running``: the rows analysed; ``recording``: their analyses and outcomes stored, the
  batch's counters grown and the batch finished;
- ``cancelling`` and ``resending``: a batch cancelled, resumed, or its lost chunks sent again;
- ``analyzers``: the engine, loaded late.
"""

from worker.pipeline.cancelling import batch_status, cancel
from worker.pipeline.claiming import Claim, start_chunk
from worker.pipeline.pasting import submit_text
from worker.pipeline.resending import pending_chunks, resend_stalled, resume, stalled_batches
from worker.pipeline.running import OnFinish, fail_chunk, run_chunk
from worker.pipeline.storing import (
    Enqueue,
    create_batch,
    finish_receiving,
    posting_ids,
    receive,
    store_chunks,
    submit_file,
)

__all__ = [
    "Claim", "Enqueue", "OnFinish", "batch_status", "cancel", "create_batch", "fail_chunk",
    "finish_receiving", "pending_chunks", "posting_ids", "receive",
    "resend_stalled", "resume", "run_chunk", "stalled_batches",
    "start_chunk", "store_chunks", "submit_file", "submit_text",
]
