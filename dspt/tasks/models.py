"""No tables of its own: the queue, results and schedules are django-q2's. The module is here so
that `post_migrate` is sent for this app (dspt/tasks/apps.py creates the daily schedules)."""
