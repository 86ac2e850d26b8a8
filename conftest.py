pytest_plugins = [
    "portico.kit.testing.database",
    "portico.kit.testing.rabbitmq",
    "portico.kit.testing.s3",
    "portico.kit.testing.services",
    "portico.kit.testing.smtp",
    "portico.portal.testing",
    "portico.notifier.testing",
    "portico.gateway.testing",
]
