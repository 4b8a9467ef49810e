from django.urls import path

from dspt.organisations import views

app_name = "organisations"
urlpatterns = [
    path("", views.home, name="home"),
    path("register/", views.register, name="register"),
    path("register/new/", views.create, name="create"),
    path("register/<str:ods_code>/", views.claim, name="claim"),
    path("<str:ods_code>/", views.detail, name="detail"),
    path("<str:ods_code>/people/", views.members, name="members"),
    path("<str:ods_code>/people/<int:membership_id>/", views.member_change, name="member_change"),
    path("<str:ods_code>/tokens/", views.tokens, name="tokens"),
    path("<str:ods_code>/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
