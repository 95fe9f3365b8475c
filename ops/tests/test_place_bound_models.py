"""Every table that belongs to a place carries a unit code (the Citus distribution column's source, docs/scale.md).

A model passes when it has a place code field: a foreign key to places.OrgUnit (to its code), or a 12-digit code
column named `unit_code` / `*_unit_code`. Every other model of the project must be listed below with the reason it is
not place-bound (a reference table, a per-account row, a counter) or that it reaches its place through its parent (a
child row: co-located with the parent by denormalising the parent's county code before distribution, docs/scale.md).
A new model that is in neither list fails here: give it a unit code, or say why not.
"""

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models

# Not bound to a place: Citus reference tables (copied to every node) or tables kept on the coordinator.
NOT_PLACE_BOUND = {
    "accounts.ApiToken": "per account (reference-sized: one row per issued token)",
    "accounts.DataRightGrant": "per account; approvals are few (hundreds)",
    "accounts.AccountChange": "two-administrator changes of accounts; few",
    "accounts.AuditSeal": "the audit chain's seals: global, one row per 5 minutes",
    "places.Department": "the 38 departments: reference",
    "web.Notification": "per account inbox; follows the user, not a place",
    "ops.WorkerHeartbeat": "one row per task worker process",
    "appeals.Category": "the 20 request categories: reference",
    "appeals.CalendarDay": "the working-day calendar: reference",
    "appeals.ApiClient": "Open311 client keys: reference",
    "appeals.DailyCounter": "tracking-number counter per day: global sequence",
    "appeals.FloodCounter": "per-address rate limit counter: global",
    "care.VisitRule": "the visit rules: reference",
    "planning.PlanTask": "the plan's 78 tasks: reference",
    "planning.SpecialAction": "the plan's special-action rows: reference",
    "planning.MainIndicator": "the plan's indicator table: reference",
    "planning.Indicator": "the indicator catalogue (its `unit` is a unit of measure): reference",
    "planning.AuditCursor": "the planning engine's single cursor over the audit log",
    "planning.CachedPeriod": "which periods are cached, per indicator: reference-sized",
    "workforce.ReviewDepartment": "the departments that review candidates (资格联审): reference",
    "duties.ListVersion": "the city's work-item admission list, one per version: city-wide reference",
    "duties.WorkItem": "an item of that city-wide list: reference",
    "duties.AdmissionRequest": "a department's request to add an item to the city-wide list: city-wide",
    "duties.CertificateItem": "the city's seal and certificate list: reference",
    "duties.ServiceItem": "the service catalogue: reference",
    "safety.Warning": "a warning spans many units (its area is a list of codes; each notice it sends carries its unit)",
    "exchange.Batch": "a department's delivery to a city-wide dataset (its facts carry the unit codes): coordinator",
}
# Reach their place through a parent (or its parent) that has a unit code: before distribution each gets the parent's code copied in.
CHILD_OF = {
    "people.ResidentTag": "people.Resident",
    "facilities.FacilityService": "facilities.Facility",
    "facilities.FacilityPhoto": "facilities.Facility",
    "appeals.AppealFollower": "appeals.Appeal",
    "appeals.Photo": "appeals.Appeal",
    "appeals.Event": "appeals.Appeal",  # its from_unit/to_unit name a transfer's ends, not the row's home
    "appeals.Extension": "appeals.Appeal",
    "appeals.Rating": "appeals.Appeal",
    "appeals.RatingAppeal": "appeals.Rating",  # and the rating's appeal
    "care.VisitPhoto": "care.Visit",
    "workforce.TrainingAttendance": "workforce.Training",
    "planning.Evidence": "planning.ProgressReport",
    "planning.LedgerNotice": "planning.Assignment",
    "exchange.AgreementAccess": "exchange.SharingAgreement",
    "volunteers.SignUp": "volunteers.Activity",
    "workforce.Candidate": "workforce.ElectionRound",
    "workforce.ReviewRequest": "workforce.Candidate",
    "workforce.SecretaryFiling": "workforce.CommunityWorker",
    "workforce.SocialWorkExam": "workforce.CommunityWorker",
    "volunteers.TimeBankEntry": "volunteers.TimeBankAccount",
    "duties.ProxyMaterial": "duties.ProxyCase",
    "duties.ProxyStep": "duties.ProxyCase",
    "activities.ActivityPhoto": "activities.CommunityActivity",
    "activities.Funding": "activities.Project",
    "activities.Milestone": "activities.Project",
    "deliberation.Support": "deliberation.Topic",
    "deliberation.TopicEvent": "deliberation.Topic",
    "deliberation.MajorStep": "deliberation.Topic",
    "deliberation.Attendance": "deliberation.Meeting",
    "deliberation.Motion": "deliberation.Meeting",
    "deliberation.Receipt": "deliberation.Motion",
    "deliberation.MinutesCorrection": "deliberation.Meeting",
    "deliberation.Publicity": "deliberation.Topic",
    "deliberation.Objection": "deliberation.Publicity",
    "deliberation.Milestone": "deliberation.Project",
    "deliberation.Rating": "deliberation.Project",
    "deliberation.Question": "deliberation.Survey",
    "deliberation.Invitation": "deliberation.Survey",
    "socialorgs.Staff": "socialorgs.Organisation",
    "socialorgs.AnnualReport": "socialorgs.Organisation",
    "socialorgs.Incubation": "socialorgs.IncubationBase",
    "socialorgs.Session": "socialorgs.Case",
    "socialorgs.Application": "socialorgs.Purchase",
    "socialorgs.Deliverable": "socialorgs.Purchase",
    "socialorgs.ServiceRecord": "socialorgs.Deliverable",
    "socialorgs.Milestone": "socialorgs.Purchase",
    "socialorgs.Payment": "socialorgs.Purchase",
    "socialorgs.Disbursement": "socialorgs.Donation",
    "socialorgs.Fulfilment": "socialorgs.SpaceAgreement",
    "safety.PlanVersion": "safety.EmergencyPlan",
    "safety.PlanRole": "safety.EmergencyPlan",
    "safety.PlanAsset": "safety.EmergencyPlan",
    "safety.Inspection": "safety.CrowdedPlace",
    "safety.HelpContact": "safety.HelpPlan",
}


def place_code_fields(model: type[models.Model]) -> list[str]:
    fields = []
    for field in model._meta.concrete_fields:
        if field.is_relation and field.related_model is not None and field.related_model._meta.label == "places.OrgUnit":
            fields.append(field.column)
        elif isinstance(field, models.CharField) and (field.column == "unit_code" or field.column.endswith("_unit_code")):
            fields.append(field.column)
    return fields


def project_models() -> list[type[models.Model]]:
    # The project's apps are the folders at its root (the virtualenv, also under the root in a checkout, holds Django's own).
    root = Path(settings.BASE_DIR)
    return [model for model in apps.get_models()
            if Path(apps.get_app_config(model._meta.app_label).path).parent == root and not model._meta.proxy]


def test_it_finds_a_unit_code_on_every_place_bound_model() -> None:
    unlisted = [model._meta.label for model in project_models()
                if not place_code_fields(model) and model._meta.label not in NOT_PLACE_BOUND | CHILD_OF.keys()]
    assert not unlisted, (f"models without a unit code and not listed in {__name__}: {unlisted} — add a unit "
                          "(ForeignKey to places.OrgUnit, to_field='code', db_column='unit_code') or list it with why")


def test_it_keeps_the_lists_true() -> None:
    labels = {model._meta.label: model for model in project_models()}
    listed = NOT_PLACE_BOUND.keys() | CHILD_OF.keys()
    stale = sorted(label for label in listed if label not in labels or place_code_fields(labels[label]))
    assert not stale, f"listed but gone or now with a unit code: {stale}"
    for child, parent in CHILD_OF.items():
        top = parent
        while top in CHILD_OF:
            top = CHILD_OF[top]
        assert place_code_fields(labels[top]), f"{child}'s parent {parent} reaches no unit code"
        assert any(f.is_relation and f.related_model is labels[parent] for f in labels[child]._meta.concrete_fields), \
            f"{child} has no foreign key to {parent}"


def test_it_knows_a_place_bound_model_when_it_sees_one() -> None:
    assert place_code_fields(apps.get_model("people", "Resident")) == ["unit_code"]
    assert place_code_fields(apps.get_model("appeals", "Appeal")) == ["home_unit_code", "unit_code", "supervisor_unit_code"]
    assert place_code_fields(apps.get_model("planning", "Indicator")) == []  # `unit` there is a unit of measure
