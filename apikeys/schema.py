"""How API keys appear in the OpenAPI schema (and in Swagger UI's Authorize dialog)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """Describe `Authorization: Api-Key <key>`."""

    target_class = "apikeys.authentication.ApiKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Server-to-server read access: the value is `Api-Key <key>`.",
        }
