"""The organisation: importing org files, reading the directory, resolving approvers."""

from engine.org.assignees import STRATEGIES, resolve_approvers
from engine.org.checks import check_org
from engine.org.directory import Department, Directory, Role, User
from engine.org.document import DepartmentRecord, OrgDocument, Problem, RoleRecord, UserRecord
from engine.org.importing import ImportResult, import_org, parse_org_csv, parse_org_json

__all__ = [
    "STRATEGIES",
    "Department",
    "DepartmentRecord",
    "Directory",
    "ImportResult",
    "OrgDocument",
    "Problem",
    "Role",
    "RoleRecord",
    "User",
    "UserRecord",
    "check_org",
    "import_org",
    "parse_org_csv",
    "parse_org_json",
    "resolve_approvers",
]
