"""Simulated trials and the next trial's design: the simulator of input files (:mod:`.simulate`) and of
unusual shapes (:mod:`.shapes`), operating characteristics (:mod:`.operating`), and analytic and simulated
power for the primary and the binary outcomes (:mod:`.power`, :mod:`.binary`).
"""
