"""Who am I: the signed-in person (or token) and the organisations they belong to."""

from ninja import Router, Schema

router = Router(tags=["account"])


class MembershipOut(Schema):
    ods_code: str | None
    name: str
    role: str


class MeOut(Schema):
    email: str
    full_name: str
    oversight_role: str
    token_organisation: str | None
    memberships: list[MembershipOut]


@router.get("", response=MeOut)
def me(request):
    """The caller. With an organisation token, only that organisation is listed; with a personal
    (oversight) token, none."""
    user = request.user
    token = getattr(request, "api_token", None)
    memberships = user.memberships.select_related("organisation")
    if token is not None:
        memberships = memberships.filter(organisation_id=token.organisation_id)
    return {
        "email": user.email,
        "full_name": user.full_name,
        "oversight_role": user.oversight_role,
        "token_organisation": token.organisation.ods_code if token and token.organisation else None,
        "memberships": [
            {"ods_code": m.organisation.ods_code, "name": m.organisation.name, "role": m.role}
            for m in memberships
        ],
    }
