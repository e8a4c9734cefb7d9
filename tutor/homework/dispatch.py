"""Each kind of entry point (entry.py) and the driver that reads a file from it."""
from __future__ import annotations

from .drivers import DRIVERS
from .entry import EntryReading
from .layer_lists import lists_driver, object_lists_driver
from .loss_layers import loss_layer_driver
from .reader import Reader

READERS = {**DRIVERS, "lists": lists_driver, "object_lists": object_lists_driver, "loss_layer": loss_layer_driver}


def read(reader: Reader, driver: str, name: str) -> EntryReading:
    """What the file computes from the entry point `name`, read by its kind's driver (`entries` found both)."""
    return READERS[driver](reader, name)
