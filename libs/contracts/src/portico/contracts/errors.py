"""Errors raised when a message does not match the contracts."""


class ContractError(ValueError):
    """A message that no consumer can ever handle; consumers park it instead of retrying."""


class UnknownEventType(ContractError):
    def __init__(self, event_type: str) -> None:
        super().__init__(f"unknown event type {event_type!r}")
        self.event_type = event_type


class InvalidEnvelope(ContractError):
    pass


class InvalidPayload(ContractError):
    def __init__(self, event_type: str, detail: str) -> None:
        super().__init__(f"invalid payload for {event_type}: {detail}")
        self.event_type = event_type
        self.detail = detail
