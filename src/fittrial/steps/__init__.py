"""The workflow's steps: plain functions that take file paths and write files, one per Snakemake rule
(:mod:`.inputs`, :mod:`.models`, :mod:`.report`, :mod:`.design`), and the checks of the config that run
before any job (:mod:`.config`). The top layer: nothing imports it but the workflow's scripts.
"""
