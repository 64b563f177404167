"""``Authorization: Token <key>`` against org's per-device tokens (the header DRF's authtoken used, so clients
keep working). A refused key is a 401 whose code says why: ``invalid_token``, ``token_expired``, ``token_revoked``."""

from django.utils.translation import gettext
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import authentication, exceptions

from keshang.core.exceptions import ApplicationError
from keshang.core.middleware import client_ip

from .services.tokens import authenticate_token

__all__ = ["ApiTokenAuthentication", "ApiTokenScheme"]

KEYWORD = "Token"
KEY_MAX_LENGTH = 100


class ApiTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2 or len(parts[1]) > KEY_MAX_LENGTH:
            raise exceptions.AuthenticationFailed(gettext("API 令牌无效。"), code="invalid_token")
        try:
            key = parts[1].decode("ascii")
            token = authenticate_token(key=key, ip=client_ip(request))
        except UnicodeError:
            raise exceptions.AuthenticationFailed(gettext("API 令牌无效。"), code="invalid_token") from None
        except ApplicationError as error:
            raise exceptions.AuthenticationFailed(error.message, code=error.code) from None
        return token.user, token

    def authenticate_header(self, request):
        return KEYWORD


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The schema's ``tokenAuth`` (the fuzzer's auth check reads it to know what a request without credentials is)."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix=KEYWORD)
