"""The synthetic England behind `dspt load-demo`.

Split by responsibility: `names` (invented names and codes), `england` (providers, locations and
their CQC data), `calibration` (each location's chance of being compliant on 31 July 2024),
`history` (publication histories), `nhs` (trusts, ICBs, CSUs, ALBs, local authorities), `people`
(demo sign-ins), `assessment` (a partly answered assessment) and `loader` (writes it all).

This package deliberately has no `populate`: the demo plug-in loop skips it, because it is the
core data set the other apps' plug-ins build on.
"""
