"""Turn off two-factor authentication for someone who lost their phone and recovery codes.

They log in with their password alone and can turn it on again from their account page
(with TWO_FACTOR_REQUIRED_FOR_OWNERS, owners are asked to at once).
"""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from stakeholders.accounts.services import two_factor_enabled, two_factor_turn_off
from stakeholders.management.output import OutputCommand


class Command(OutputCommand):
    help = (
        "Turn off two-factor authentication for one account (its authenticator app and "
        "recovery codes stop working). Check who is asking first."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="the account's username")

    def handle(self, *args, username: str, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError("There is no account with this username.")
        if not two_factor_enabled(user=user):
            self.stdout.write("Two-factor authentication was not on for this account.")
            return
        two_factor_turn_off(user=user)
        self.stdout.write("Two-factor authentication is now off for this account.")
