"""Wires the stages together; the only package that knows `sources` (the network).

One module per job: `analyze` (read, enrich, judge, write), and the jobs later issues add.
"""
