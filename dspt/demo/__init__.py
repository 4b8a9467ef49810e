"""The synthetic England behind `dspt load-demo`.

Split by responsibility: `names` (invented names and codes), `england` (providers, locations and
their CQC data), `calibration` (each location's chance of being compliant on 31 July 2024),
`history` (publication histories), `nhs` (trusts, ICBs, CSUs, ALBs, local authorities), `people`
(demo sign-ins), `assessment` (a partly answered assessment) and `loader` (writes it all, then
calls every other app's `demo.populate`, dspt/core/demo.py).

It builds organisations, publications, assessments and people, and calls into every app, so it
is an app of its own on the top layer (beside api), not part of organisations.
"""
