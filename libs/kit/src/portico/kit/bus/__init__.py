"""The message bus: RabbitMQ in the distributed mode, in-process in the embedded one."""

from portico.kit.bus.base import Bus, Handler, ParkedMessage, PublishError, RetryPolicy
from portico.kit.settings import PorticoSettings

__all__ = ["Bus", "Handler", "ParkedMessage", "PublishError", "RetryPolicy", "create_bus"]


def create_bus(settings: PorticoSettings) -> Bus:
    retry = RetryPolicy(delays=tuple(settings.bus_retry_delays))
    if settings.bus_url:
        from portico.kit.bus.rabbitmq import RabbitMqBus

        return RabbitMqBus(settings.bus_url, retry=retry, prefetch=settings.bus_prefetch)
    from portico.kit.bus.memory import InMemoryBus

    return InMemoryBus(retry=retry)
