"""Core owns the cross-cutting records every module shares, one module per aggregate: the audit trail,
collaborations (records shared with users), document number sequences, currencies and exchange rates,
in-app notifications, China's administrative regions (reference data), attachments, import jobs, the
approval engine's flows, requests, tasks and delegations, and the backups run from the backup page.

Everything is re-exported here: callers import ``keshang.core.models``, not a module of it."""

# In the order the models were declared: the app registry (and so dumps and the audit filter) lists them so.
# isort: off
from .audit import AuditAction, AuditEntry
from .collaborations import Collaboration
from .numbering import NumberSequence
from .currencies import Currency, ExchangeRate
from .notifications import Notification
from .regions import Region, RegionLevel
from .attachments import Attachment
from .imports import ImportJob, ImportStatus
from .approvals import (
    ApprovalMode,
    ApproverKind,
    ApprovalFlow,
    ApprovalStep,
    ApprovalStatus,
    ApprovalRequest,
    ApprovalTaskStatus,
    ApprovalTask,
    ApprovalDelegation,
)
from .backups import BackupRun, BackupStatus
# isort: on

__all__ = [
    "AuditAction",
    "AuditEntry",
    "Collaboration",
    "NumberSequence",
    "Currency",
    "ExchangeRate",
    "Notification",
    "RegionLevel",
    "Region",
    "Attachment",
    "ImportStatus",
    "ImportJob",
    "ApprovalMode",
    "ApproverKind",
    "ApprovalFlow",
    "ApprovalStep",
    "ApprovalStatus",
    "ApprovalRequest",
    "ApprovalTaskStatus",
    "ApprovalTask",
    "ApprovalDelegation",
    "BackupStatus",
    "BackupRun",
]
