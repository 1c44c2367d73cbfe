"""Enterprise accounts: registry, period accounts, carbon code, quotas and allowances."""

from zerocity.accounts.allowances import (
    AllowanceError,
    QuotaKind,
    allowance_balances,
    issue_allowances,
    project_quotas,
    surrender_allowances,
    transfer_allowances,
)
from zerocity.accounts.enterprise import (
    AccountsError,
    CarbonCodeConfig,
    ElectricityConvention,
    Trend,
    compute_accounts,
    emissions_by_scope,
    energy_tce_by_entity,
    export_for_finance,
    grade_accounts,
    load_carbon_code_config,
    read_registry,
    validate_registry,
)

__all__ = [
    "AccountsError",
    "AllowanceError",
    "CarbonCodeConfig",
    "ElectricityConvention",
    "QuotaKind",
    "Trend",
    "allowance_balances",
    "compute_accounts",
    "emissions_by_scope",
    "energy_tce_by_entity",
    "export_for_finance",
    "grade_accounts",
    "issue_allowances",
    "load_carbon_code_config",
    "project_quotas",
    "read_registry",
    "surrender_allowances",
    "transfer_allowances",
    "validate_registry",
]
