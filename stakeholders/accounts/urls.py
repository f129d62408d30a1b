"""Your account and the login's code step (top-level names, as Django's own login has)."""

from django.urls import path

from stakeholders.accounts import views

urlpatterns = [
    path("accounts/login/code/", views.login_code, name="login_code"),
    path("account/", views.account, name="account"),
    path("account/two-factor/start/", views.two_factor_start, name="account_two_factor_start"),
    path("account/two-factor/", views.two_factor_setup, name="account_two_factor_setup"),
    path("account/two-factor/turn-off/", views.two_factor_off, name="account_two_factor_off"),
    path(
        "account/recovery-codes/",
        views.recovery_codes_new,
        name="account_recovery_codes",
    ),
]
