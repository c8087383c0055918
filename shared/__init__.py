"""Children's University Online: the application (domain, services, storage, security).

Never imports azure.functions, so it can be driven from tests, the CLI and the triggers alike.
"""
