"""The client's address when the app runs behind the reverse proxy of deploy/ (nginx).

Behind nginx every request comes from 127.0.0.1, so login throttling, which counts
failures per username and address, would lock a username out for everyone after a
stranger's five guesses. deploy/nginx-influence-map.conf sets X-Forwarded-For to the
address nginx received the request from, replacing whatever the client sent, so with
TRUSTED_PROXY on (only ever behind such a proxy) that header names the client.
"""

from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The address the proxy saw: the last X-Forwarded-For entry (the one it added)."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    last = forwarded.rsplit(",", 1)[-1].strip()
    return last or request.META.get("REMOTE_ADDR", "")
