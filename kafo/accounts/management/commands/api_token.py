"""`kafo api token create|revoke|list`: issue, revoke and list a user's API tokens.

    kafo api token create inps-ml.agent --name "paie Sahel SA" [--days 30]
    kafo api token revoke 12
    kafo api token list inps-ml.agent

The raw token is printed once, at creation; only its digest is stored. Audited, the actor being
the command line ("system").
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kafo.accounts import services
from kafo.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "Crée, révoque ou liste les jetons d'API d'un utilisateur."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="crée un jeton et l'affiche une seule fois")
        create.add_argument("username")
        create.add_argument("--name", required=True, help="à quoi sert le jeton")
        create.add_argument("--days", type=int, help="validité en jours (défaut : réglage)")
        revoke = sub.add_parser("revoke", help="révoque un jeton (par son numéro)")
        revoke.add_argument("token_id", type=int)
        listing = sub.add_parser("list", help="liste les jetons d'un utilisateur")
        listing.add_argument("username")

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"utilisateur inconnu : {username}")
        return user

    def handle(self, *args, **options):
        action = options["action"]
        if action == "create":
            user = self._user(options["username"])
            expires_at = None
            if options["days"] is not None:
                if options["days"] < 1:
                    raise CommandError("--days : au moins 1 jour")
                expires_at = timezone.now() + dt.timedelta(days=options["days"])
            try:
                token, raw = services.token_issue(
                    user=user, name=options["name"], expires_at=expires_at
                )
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
            self.stdout.write(
                f"jeton n° {token.pk} « {token.name} » pour {user.username}, "
                f"expire le {timezone.localtime(token.expires_at):%d/%m/%Y %H:%M}"
            )
            self.stdout.write(raw)
        elif action == "revoke":
            token = ApiToken.objects.filter(pk=options["token_id"]).first()
            if token is None:
                raise CommandError(f"jeton inconnu : {options['token_id']}")
            token = services.token_revoke(token=token)
            self.stdout.write(
                f"jeton n° {token.pk} « {token.name} » révoqué le "
                f"{timezone.localtime(token.revoked_at):%d/%m/%Y %H:%M}"
            )
        else:
            user = self._user(options["username"])
            now = timezone.now()
            for token in user.api_tokens.order_by("pk"):
                state = token.refusal(now) or "actif"
                self.stdout.write(
                    f"{token.pk}\t{token.name}\t{token.prefix or '-'}…\t"
                    f"expire {timezone.localtime(token.expires_at):%d/%m/%Y}\t{state}"
                )
