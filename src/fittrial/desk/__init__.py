"""The evaluator's desk (``fittrial app``): a local web app from the Excel template to the data check, for users who
do not use a terminal (issue 25). See :mod:`fittrial.desk.app`."""
