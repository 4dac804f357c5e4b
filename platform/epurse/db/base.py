from typing import Any

from django_tenants.postgresql_backend.base import DatabaseWrapper as TenantDatabaseWrapper


class DatabaseWrapper(TenantDatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        if self.settings_dict.get("EMBEDDED"):
            from epurse.localdb import ensure_started

            ensure_started()
        return super().get_new_connection(conn_params)
