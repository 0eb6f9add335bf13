"""Token execution: one behaviour per BPMN element family, registered in one table."""

from engine.model import (
    BOUNDARY_EVENT,
    BUSINESS_RULE_TASK,
    END_EVENT,
    EXCLUSIVE_GATEWAY,
    INCLUSIVE_GATEWAY,
    INTERMEDIATE_CATCH_EVENT,
    PARALLEL_GATEWAY,
    SEND_TASK,
    SERVICE_TASK,
    START_EVENT,
    SUB_PROCESS,
    USER_TASK,
)
from engine.runtime.automation_tasks import BusinessRuleTask, ServiceTask
from engine.runtime.events import EndEvent, StartEvent
from engine.runtime.execution import (
    COMPLETED,
    REJECTED,
    RUNNING,
    TERMINATED,
    WITHDRAWN,
    ApproverResolver,
    Behaviour,
    Execution,
)
from engine.runtime.gateways import ExclusiveGateway, InclusiveGateway, ParallelGateway
from engine.runtime.notifications import SendTask
from engine.runtime.state import InstanceState, Token
from engine.runtime.subprocesses import SubProcess
from engine.runtime.timers import BoundaryEvent, IntermediateTimer, Watched
from engine.runtime.user_tasks import APPROVED, UserTask, decide, describe_approver

# The one table from BPMN tag to behaviour; the parser accepts exactly these tags.
BEHAVIOURS: dict[str, Behaviour] = {
    START_EVENT: StartEvent(),
    END_EVENT: EndEvent(),
    USER_TASK: UserTask(),
    EXCLUSIVE_GATEWAY: ExclusiveGateway(),
    PARALLEL_GATEWAY: ParallelGateway(),
    INCLUSIVE_GATEWAY: InclusiveGateway(),
    SUB_PROCESS: SubProcess(),
    BOUNDARY_EVENT: BoundaryEvent(),
    INTERMEDIATE_CATCH_EVENT: IntermediateTimer(),
    SERVICE_TASK: ServiceTask(),
    SEND_TASK: SendTask(),
    BUSINESS_RULE_TASK: BusinessRuleTask(),
}
# Every behaviour runs its node's rules on entry and arms its timers once the token waits.
BEHAVIOURS = {tag: Watched(behaviour) for tag, behaviour in BEHAVIOURS.items()}

__all__ = [
    "APPROVED",
    "BEHAVIOURS",
    "COMPLETED",
    "REJECTED",
    "RUNNING",
    "TERMINATED",
    "WITHDRAWN",
    "ApproverResolver",
    "Execution",
    "InstanceState",
    "Token",
    "decide",
    "describe_approver",
]
