"""The zerocity HTTP service: FastAPI app, tenants, users, roles, authentication.

``create_app(settings)`` builds the app (``zerocity serve`` runs it with uvicorn);
:func:`~zerocity.service.tenancy.tenant_engine` gives other processes a tenant's database.
"""

from zerocity.service.app import create_app
from zerocity.service.settings import Settings
from zerocity.service.tenancy import tenant_engine

__all__ = ["Settings", "create_app", "tenant_engine"]
