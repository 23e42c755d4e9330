"""ixpready's operator probe: Paris traceroutes and DNS checks written as RIPE Atlas results.

A separate program from ixpready: the only part that needs raw sockets (CAP_NET_RAW), and
the only one that uses scapy (GPL-2.0-only). It never imports ixpready nor
ripe.atlas.cousteau (GPLv3); ixpready runs it as a subprocess and reads its files.
"""

__version__ = "0.1.0"
