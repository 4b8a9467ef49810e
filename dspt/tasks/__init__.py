"""Background work: the queue every app hands its jobs to, the worker, and the daily schedules
(docs/adr/0008-task-queue.md). The lowest layer: it imports no other app; jobs are named by
their dotted paths."""
