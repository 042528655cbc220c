"""Incidents (个案处置): persons found entering illegally or rescued at sea, their handling
checklist and the immediate report to the office."""

__all__ = ["complete_step", "open_incident", "start_step"]


def __getattr__(name: str):
    # Lazy so importing the package (models, counters) does not pull in the service.
    if name in __all__:
        from jinghai.incidents import service

        return getattr(service, name)
    raise AttributeError(name)
