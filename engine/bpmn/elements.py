"""Which BPMN elements run, which are ignored, and which are refused."""

from __future__ import annotations

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

# The executable subset: flow nodes the runtime has a behaviour for.
EXECUTABLE_NODES = frozenset(
    {
        START_EVENT,
        END_EVENT,
        USER_TASK,
        EXCLUSIVE_GATEWAY,
        PARALLEL_GATEWAY,
        INCLUSIVE_GATEWAY,
        SUB_PROCESS,
        # automation (docs/automation.md): timer events only; other event kinds are refused by name
        BOUNDARY_EVENT,
        INTERMEDIATE_CATCH_EVENT,
        SERVICE_TASK,
        SEND_TASK,
        BUSINESS_RULE_TASK,
    }
)
GATEWAYS = frozenset({EXCLUSIVE_GATEWAY, PARALLEL_GATEWAY, INCLUSIVE_GATEWAY})
# Gateways that choose among outgoing flows by condition.
CHOOSING_GATEWAYS = frozenset({EXCLUSIVE_GATEWAY, INCLUSIVE_GATEWAY})
SEQUENCE_FLOW = "sequenceFlow"

# Children of a process or subProcess that do not change execution: accepted and ignored.
IGNORED_IN_SCOPE = frozenset(
    {
        "documentation",
        "extensionElements",  # inspected separately for execution hooks
        "auditing",
        "monitoring",
        "categoryValueRef",
        "supportedInterfaceRef",
        "ioSpecification",
        "ioBinding",
        "property",
        "laneSet",
        "dataObject",
        "dataObjectReference",
        "dataStoreReference",
        "association",
        "group",
        "textAnnotation",
        "resourceRole",
        "performer",
        "humanPerformer",
        "potentialOwner",
        "correlationSubscription",
        "supports",
        "incoming",
        "outgoing",
        "dataInputAssociation",
        "dataOutputAssociation",
    }
)

# Flow elements BPMN defines that we do not execute; any other unknown tag is refused too.
REFUSED_FLOW_ELEMENTS = frozenset(
    {
        "task",
        "receiveTask",
        "scriptTask",
        "manualTask",
        "callActivity",
        "transaction",
        "adHocSubProcess",
        "intermediateThrowEvent",
        "implicitThrowEvent",
        "eventBasedGateway",
        "complexGateway",
        "callChoreography",
        "choreographyTask",
        "subChoreography",
    }
)

LOOP_CHARACTERISTICS = frozenset({"multiInstanceLoopCharacteristics", "standardLoopCharacteristics"})
TERMINATE = "terminateEventDefinition"


def is_event_definition(local: str) -> bool:
    return local.endswith("EventDefinition") or local == "eventDefinitionRef"


# Vendor extension elements that would silently change behaviour if ignored.
def is_execution_hook(local: str) -> bool:
    """``*Listener`` (task, execution, event), input/output mappings, Flowable aggregation."""
    return local.endswith("Listener") or local in {"inputOutput", "variableAggregation"}


__all__ = [
    "CHOOSING_GATEWAYS",
    "EXECUTABLE_NODES",
    "GATEWAYS",
    "IGNORED_IN_SCOPE",
    "LOOP_CHARACTERISTICS",
    "REFUSED_FLOW_ELEMENTS",
    "SEQUENCE_FLOW",
    "TERMINATE",
    "is_event_definition",
    "is_execution_hook",
]
