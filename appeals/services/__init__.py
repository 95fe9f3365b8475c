"""Every write on a request, one module per job (each function one transaction, audited):

- permissions: who may handle, who is the level above, who is told;
- numbering: tracking numbers;
- filing: a new request and the flood limits;
- workflow: the state machine, dispatch, assist, merge, extensions;
- escalation: overdue deadlines;
- ratings: 好差评, call-backs, contested ratings;
- clients: Open311 api_keys;
- tracking: the flood limit on look-ups by tracking number and phone.

The public names are re-exported here: `from appeals import services; services.file_appeal(...)`.
"""

from appeals.services.clients import client_for_key, hash_key, issue_api_client, revoke_api_client
from appeals.services.common import CITY_CODE, parent_code
from appeals.services.escalation import escalate_overdue
from appeals.services.filing import check_rate_limit, file_appeal, ip_hash, is_known_unit
from appeals.services.numbering import next_tracking_no, prepare_tracking_no
from appeals.services.permissions import callback_unit_for, can_handle, is_callback_user, is_level_above, is_staff, owns
from appeals.services.ratings import (
    can_rate,
    contest_rating,
    correctable,
    decide_rating_appeal,
    rate,
    record_callback,
    record_phone_rating,
)
from appeals.services.tracking import check_track_limit
from appeals.services.workflow import (
    MOVABLE,
    TRANSITIONS,
    accept,
    add_assist,
    assist_reply,
    attach_photos,
    close,
    decide_extension,
    dispatch,
    merge,
    next_state,
    record_contact,
    reply,
    request_extension,
    return_appeal,
    reveal_phone,
    start,
    transfer,
)

__all__ = [
    "CITY_CODE", "MOVABLE", "TRANSITIONS", "accept", "add_assist", "assist_reply", "attach_photos", "callback_unit_for",
    "can_handle", "can_rate", "correctable", "is_callback_user", "record_phone_rating",
    "check_rate_limit", "check_track_limit", "client_for_key", "close", "contest_rating", "decide_extension", "decide_rating_appeal", "dispatch",
    "escalate_overdue", "file_appeal", "hash_key", "ip_hash", "is_known_unit", "is_level_above", "is_staff",
    "issue_api_client", "merge", "next_state", "next_tracking_no", "owns", "parent_code", "prepare_tracking_no", "rate",
    "record_callback", "record_contact", "reply", "request_extension", "return_appeal", "reveal_phone", "revoke_api_client",
    "start", "transfer",
]
