from django.urls import path

from dspt.organisations import claim_views, views

app_name = "organisations"
urlpatterns = [
    path("", views.home, name="home"),
    path("register/", views.register, name="register"),
    path("register/new/", views.create, name="create"),
    path("register/<str:ods_code>/", claim_views.claim, name="claim"),
    path("claims/", claim_views.queue, name="claims_queue"),
    path("claims/<int:claim_id>/", claim_views.decide, name="claim_decide"),
    path("claims/<int:claim_id>/withdraw/", claim_views.withdraw, name="claim_withdraw"),
    path("claims/verify/<str:token>/", claim_views.verify, name="claim_verify"),
    path("claims/checked/<str:ods_code>/", claim_views.mark_checked, name="claim_mark_checked"),
    path("claims/admins/<str:ods_code>/", claim_views.admins, name="claim_admins"),
    path("<str:ods_code>/", views.detail, name="detail"),
    path("<str:ods_code>/people/", views.members, name="members"),
    path("<str:ods_code>/people/<int:membership_id>/", views.member_change, name="member_change"),
    path("<str:ods_code>/tokens/", views.tokens, name="tokens"),
    path("<str:ods_code>/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
