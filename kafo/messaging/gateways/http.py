"""HTTP adapter: one JSON POST per message to an aggregator's URL, as most local aggregators offer.

Options: url (required), token (sent as "Authorization: Bearer …" if set), sender (the "from"
field), id_field (the answer's field holding the message id; "message_id"), timeout_seconds (10).
Body sent: {"to": "+22370123456", "from": sender, "text": "…"}. An answer 2xx with the id is
success; 400-499 (except 408 and 429) is permanent (the message itself is refused); anything
else — 5xx, 408, 429, no answer — is retried.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from kafo.messaging.gateways import GatewayError, SmsGateway

_RETRYABLE_4XX = {408, 429}


class HttpGateway(SmsGateway):
    name = "http"

    def send(self, *, to: str, text: str) -> str:
        url = self.options["url"]
        if not url.startswith(("https://", "http://")):
            raise GatewayError(
                "URL de la passerelle HTTP invalide (http:// ou https://)", permanent=True
            )
        body = json.dumps({"to": to, "from": self.options.get("sender", ""), "text": text}).encode()
        request = urllib.request.Request(  # noqa: S310 (scheme checked above)
            url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        if token := self.options.get("token"):
            request.add_header("Authorization", f"Bearer {token}")
        timeout = float(self.options.get("timeout_seconds", 10))
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (configured URL)
                answer = response.read(64 * 1024)
        except urllib.error.HTTPError as exc:
            permanent = 400 <= exc.code < 500 and exc.code not in _RETRYABLE_4XX
            raise GatewayError(f"HTTP {exc.code} de la passerelle", permanent=permanent) from exc
        except (urllib.error.URLError, OSError) as exc:
            raise GatewayError(f"passerelle HTTP injoignable ({exc})") from exc
        try:
            message_id = json.loads(answer)[self.options.get("id_field", "message_id")]
        except (ValueError, KeyError, TypeError) as exc:
            raise GatewayError("réponse de la passerelle HTTP sans identifiant de message") from exc
        return str(message_id)
