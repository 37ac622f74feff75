"""How a campaign's files are written: one set of options every table, and an outcome sheet, is read with."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..column_maps import ColumnMap, get_map
from ..config import CampaignConfig
from ..options import DecimalMark


@dataclass(frozen=True)
class ReadOptions:
    """How the files are written, and the day no date may pass: the options of ``[data]``.

    Built once from campaign.toml by :meth:`from_config`, and handed whole to
    whatever reads a file of the campaign (:func:`~reconnect_lib.load.load_inputs`,
    :func:`~reconnect_lib.load.scan_inputs`, the outcome import, the CLI), so a
    cell means the same in the client list, the histories and an outcome sheet.
    Values are checked where a file is read, as the loaders' keywords are.

    Attributes
    ----------
    as_of
        A date after it is an error (``None``: not checked, for an outcome sheet only).
    column_map
        A :class:`~reconnect_lib.column_maps.ColumnMap`, or the name or path of one.
    columns
        Per table, your own mapping on top of it: ``{"clients": {"client_id": "Kundennummer"}}``.
    date_format, dayfirst, decimal, delimiter, encoding, sheet
        As for :func:`~reconnect_lib.load.load_clients`.

    Examples
    --------
    >>> from datetime import date
    >>> from reconnect_lib.config import parse_config
    >>> cfg = parse_config({"campaign": {"name": "t"}, "data": {"clients": "c.csv", "decimal": ","}})
    >>> read = ReadOptions.from_config(cfg, as_of=date(2026, 3, 2))
    >>> read.decimal, read.column_map.name, read.as_of
    (',', 'generic', datetime.date(2026, 3, 2))
    """

    as_of: date | None = None
    column_map: ColumnMap | str = "generic"
    columns: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    date_format: str | None = None
    dayfirst: bool = False
    decimal: DecimalMark | None = None
    delimiter: str | None = None
    encoding: str | None = None
    sheet: str | int | None = None

    @classmethod
    def from_config(cls, config: CampaignConfig, *, as_of: date | None) -> ReadOptions:
        """The options of campaign.toml's ``[data]``, its column map resolved (a ``.toml``
        map relative to the campaign file's folder) and loaded.

        Raises
        ------
        ConfigError
            If the column map is unknown or not a valid map.
        """
        data = config.data
        column_map: str = data.column_map
        if column_map.endswith(".toml") and config.source is not None and not Path(column_map).is_absolute():
            column_map = str(config.source.parent / column_map)
        return cls(
            as_of=as_of,
            column_map=get_map(column_map),
            columns=dict(data.columns),
            date_format=data.date_format,
            dayfirst=data.dayfirst,
            decimal=data.decimal,
            delimiter=data.delimiter,
            encoding=data.encoding,
            sheet=data.sheet,
        )
