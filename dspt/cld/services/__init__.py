"""Client-level data writes, split by responsibility:

- `submissions`: receive an upload and queue its check;
- `checking`: check a landed file, trace and pseudonymise an accepted one;
- `agreements`: data sharing agreements; `participation`: which authorities take part;
- `health`: load a health dataset; `notices`: data provision notices served on authorities;
- `releases`: releases and downloads; `timetable`: reporting periods.

Import from here (`from dspt.cld import services; services.release(...)`).
"""

from dspt.cld.services.agreements import create_agreement, set_agreement_active
from dspt.cld.services.checking import check_submission, process_submission
from dspt.cld.services.common import CldError, finish, zone
from dspt.cld.services.health import health_dataset_check, health_dataset_load
from dspt.cld.services.notices import notice_document_read, notice_record
from dspt.cld.services.participation import set_participation
from dspt.cld.services.releases import (
    authorise_download,
    prepare_release,
    refusal_reason,
    release,
    release_refusal,
)
from dspt.cld.services.submissions import receive_upload, schedule_check
from dspt.cld.services.timetable import seed_timetable

__all__ = [
    "CldError",
    "authorise_download",
    "prepare_release",
    "check_submission",
    "create_agreement",
    "finish",
    "health_dataset_check",
    "health_dataset_load",
    "notice_document_read",
    "notice_record",
    "process_submission",
    "receive_upload",
    "refusal_reason",
    "release",
    "release_refusal",
    "schedule_check",
    "seed_timetable",
    "set_agreement_active",
    "set_participation",
    "zone",
]
