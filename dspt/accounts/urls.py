from django.urls import path

from dspt.accounts import views, views_tokens

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("register/", views.register, name="register"),
    path("invitations/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("tokens/", views_tokens.personal_tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views_tokens.revoke, name="token_revoke"),
]
