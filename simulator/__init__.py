"""A simulated Milesight X5 Sensing Camera speaking the vendor guide's MQTT and HTTP."""

from .device import SimulatedCamera

__all__ = ["SimulatedCamera"]
