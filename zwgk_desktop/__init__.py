"""zwgk-desktop: 政务公开任务台账."""

__version__ = "0.1.0"
