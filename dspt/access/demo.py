"""Demo plug-in: data access requests in different stages for the demo sign-ins.

- la.data@… (the local authority's data team): an own-area linked analysis sent back with a
  question to answer, and a joint request with the authority's ICB waiting for the ICB to
  confirm (icb.analyst@…, a member of that ICB, can confirm it).
- processor@… (the processing centre, as reviewer) and approver@… (a second data manager, who
  decides): a request reviewed by processor@… waiting for approver@…'s decision, and the
  recipient's request approved with its agreement issued.
- recipient.analyst@…: that approved request, which a further amendment can change.

Two sign-ins are added here (approver@… and icb.analyst@…); `dspt demo-signins` lists them.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.hashers import make_password

from dspt.access import selectors, services
from dspt.access.models import Controllers
from dspt.accounts.models import Membership, OrgRole, OversightRole, User
from dspt.core.demo import DEMO_PASSWORD, DemoContext
from dspt.organisations.models import Organisation, OrgType

DOMAIN = "demo.dspt.example"


def _person(email: str, name: str, password: str, **fields) -> User:
    address = f"{email}@{DOMAIN}"
    return User.objects.create(
        username=address, email=address, full_name=name, password=password, **fields
    )


def _terms(template_key: str, applicant: Organisation, today: date, **changes) -> dict:
    start = selectors.template(template_key).initial(applicant, today)
    start.update(changes)
    return start


def _create(user, applicant, template_key, today, coapplicants=(), **changes):
    t = _terms(template_key, applicant, today, **changes)
    las = Organisation.objects.filter(pk__in=t.pop("local_authorities"))
    return services.request_create(
        user=user,
        applicant=applicant,
        local_authorities=list(las) or list(selectors.own_area(applicant)),
        coapplicants=coapplicants,
        **{k: v for k, v in t.items() if k != "local_authorities"},
    )


def populate(ctx: DemoContext) -> None:
    team, reviewer, analyst = (
        ctx.users.get(k) for k in ("la_data_team", "processor", "recipient_analyst")
    )
    if not (team and reviewer and analyst):
        ctx.log("access demo: the demo sign-ins are missing; no access requests added")
        return
    la = Organisation.objects.select_related("local_authority").get(
        memberships__user=team, org_type=OrgType.LOCAL_AUTHORITY
    )
    recipient = Organisation.objects.get(memberships__user=analyst)
    icb = Organisation.objects.filter(
        org_type=OrgType.ICB, ods_code=getattr(la.local_authority, "icb_id", None)
    ).first()
    password = make_password(DEMO_PASSWORD)
    approver = _person(
        "approver", "Amara Boateng", password, oversight_role=OversightRole.PROCESSOR
    )
    today = ctx.today

    # Sent back with a question for the authority to answer.
    asked = _create(team, la, "la_own_area_linked", today)
    services.request_submit(user=team, req=asked)
    services.request_send_back(
        user=reviewer,
        req=asked,
        questions="Please say which team will analyse the linked data, and confirm that only "
        "pseudonymised records will be held in your analytical environment.",
    )

    # Joint with the authority's ICB, which has still to confirm.
    if icb is not None:
        icb_person = _person("icb.analyst", "Imran Qureshi", password)
        Membership.objects.create(user=icb_person, organisation=icb, role=OrgRole.MEMBER)
        joint = _create(
            team,
            la,
            "la_own_area_linked",
            today,
            coapplicants=[icb],
            controllers=Controllers.JOINT,
            title="Joint analysis of discharge from hospital to care",
        )
        services.request_submit(user=team, req=joint)

    # Reviewed by the processing centre's data manager, waiting for the approver.
    aggregate = _create(team, la, "aggregate_benchmarking", today, local_authorities=[la.pk])
    services.request_submit(user=team, req=aggregate)
    services.request_review(
        user=reviewer, req=aggregate, recommendation="approve", note="Aggregate tables only."
    )

    # The recipient's request, approved: its agreement is issued.
    if selectors.applying_organisations(analyst).filter(pk=recipient.pk).exists():
        approved = _create(
            analyst, recipient, "aggregate_benchmarking", today, local_authorities=[la.pk]
        )
        services.request_submit(user=analyst, req=approved)
        services.request_review(user=reviewer, req=approved, recommendation="approve")
        services.request_decide(
            user=approver,
            req=approved,
            decision="approved",
            reasons="The purpose is clear and the outputs are aggregate only.",
        )
    ctx.log("access demo: four data access requests in different stages")
