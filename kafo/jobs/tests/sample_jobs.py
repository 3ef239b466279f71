"""Jobs used by the job mechanism's own tests."""

from kafo.jobs import task

RAN: list[str] = []


@task()
def record(value: str) -> str:
    RAN.append(value)
    return value


@task()
def boom(reason: str) -> None:
    raise RuntimeError(reason)
